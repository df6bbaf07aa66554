import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the benchmarks that run servers in processes of their own share: ports, starts, /proc readings. */

const root = fileURLToPath(new URL('..', import.meta.url));

export { freePort } from '../test/support/process';

/** A production gateway in front of the simulators of bench/ (`src/simulators/main.ts` on these ports). */
export function gatewayEnv(
  ports: { port: number; scodoc: number; moodle: number },
  logLevel = 'warn',
) {
  return {
    NODE_ENV: 'production',
    PORT: String(ports.port),
    HOST: '127.0.0.1',
    AUTH_DISABLED: 'true',
    LOG_LEVEL: logLevel,
    SCODOC_URL: `http://127.0.0.1:${ports.scodoc}/ScoDoc`,
    SCODOC_USERNAME: 'demo',
    SCODOC_PASSWORD: 'demo',
    MOODLE_URL: `http://127.0.0.1:${ports.moodle}`,
    MOODLE_TOKEN: 'demo-moodle-token',
    RATE_LIMIT_PER_MINUTE: '100000000',
  };
}

/** Starts a process and waits for `ready` in its output. */
export async function start(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ENV_FILE: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 30_000);
    const read = (c: Buffer) => {
      output += c.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return child;
}

/** Peak and current resident set of a process, in MB, from /proc. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** CPU seconds (user + system) a process has used, from /proc: robust where throughput is not on a shared VM. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
