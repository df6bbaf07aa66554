import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  MOODLE_SIM_TOKEN,
  SCODOC_SIM_PASSWORD,
  SCODOC_SIM_USER,
  startSimulators,
} from '../../src/simulators/start';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = `${root}dist/main.js`;

/** The environment of a test start: no .env of the developer's, ephemeral ports, a small demo university. */
export function startEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ENV_FILE: 'none',
    PORT: '0',
    SCODOC_SIM_PORT: '0',
    MOODLE_SIM_PORT: '0',
    DEMO_STUDENTS: '20',
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/** A port free on loopback right now, for a process that must be told its port in advance. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Both simulators in the test process, for several gateway processes to share as their real upstreams. */
export function sharedSimulators(students: number, today = '2026-11-20') {
  return startSimulators({
    scodoc: true,
    moodle: true,
    scodocPort: 0,
    moodlePort: 0,
    seed: 2026,
    students,
    today,
  });
}

/** The variables that point a spawned gateway at those simulators, as at real upstreams. */
export function upstreamEnvOf(sims: Awaited<ReturnType<typeof sharedSimulators>>) {
  return {
    SCODOC_URL: `${sims.scodoc!.url}/ScoDoc`,
    SCODOC_USERNAME: SCODOC_SIM_USER,
    SCODOC_PASSWORD: SCODOC_SIM_PASSWORD,
    MOODLE_URL: sims.moodle!.url,
    MOODLE_TOKEN: MOODLE_SIM_TOKEN,
  };
}

/** `node dist/main.js` (what `npm start` runs) until it exits: for starts that must fail. */
export function runGateway(
  env: NodeJS.ProcessEnv,
  cwd: string = root,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** A started gateway: its URL once the "ready" line is out, and a stop that sends SIGTERM. */
export async function startGateway(
  env: NodeJS.ProcessEnv,
  cwd: string = root,
): Promise<{
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
  /** Kills it outright (SIGKILL: no drain, no handler), as a crashed machine would. */
  kill: () => Promise<number | null>;
}> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Campus Graph ready \([^)]*\) at (http:\/\/\S+)\/graphql/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then((code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
