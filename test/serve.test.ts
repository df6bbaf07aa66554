import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sharedSimulators, startEnv, upstreamEnvOf } from './support/process';

/** `campusgraph serve --workers N`: node:cluster workers sharing one port, against shared simulators. */
const root = fileURLToPath(new URL('..', import.meta.url));
let sims: Awaited<ReturnType<typeof sharedSimulators>>;
beforeAll(async () => {
  sims = await sharedSimulators(40);
});
afterAll(() => sims.close());

function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/campusgraph.js', 'serve', ...args], {
    cwd: root,
    env: startEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  /** The pids of the workers that said "ready", once there are `n` of them. */
  const readyPids = async (n: number) => {
    for (let i = 0; i < 300; i++) {
      const pids = [...output.matchAll(/"pid":(\d+)[^\n]*Campus Graph ready/g)].map((m) =>
        Number(m[1]),
      );
      if (new Set(pids).size >= n) return [...new Set(pids)];
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not ${n} workers ready:\n${output}`);
  };
  return { child, exited, readyPids, output: () => output };
}

describe('campusgraph serve', () => {
  it('runs N workers on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const server = serve(['--workers', '2'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_DISABLED: 'true',
      ...upstreamEnvOf(sims),
    });
    const [first, second] = await server.readyPids(2);
    expect(first).not.toBe(second);
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ query: '{ departments { acronym } }' }),
      });
      expect(
        ((await res.json()) as { data: { departments: unknown[] } }).data.departments.length,
      ).toBeGreaterThan(0);
    }
    // A worker killed after its start is replaced (one dying at start would stop them all instead).
    await new Promise((r) => setTimeout(r, 5_200));
    process.kill(first!, 'SIGKILL');
    const pids = await server.readyPids(3);
    expect(pids).toHaveLength(3);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });

  it('refuses demo mode: each worker would simulate its own upstreams', async () => {
    const server = serve(['--workers', '2'], {});
    expect(await server.exited).toBe(2);
    expect(server.output()).toMatch(/SCODOC_URL and MOODLE_URL/);
  });
});
