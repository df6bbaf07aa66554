import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './process';

/**
 * A real `redis-server` (Debian's package; `.ci/run` installs it) on a free loopback port, without
 * persistence, in a temporary directory. Missing, it fails the test with a message saying how to install it:
 * the replica tests never skip.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, waits for its exit): the gateways see Redis down. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty: the gateways reconnect. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).error)
    throw new Error(
      'redis-server is not installed: apt-get install -y --no-install-recommends redis-server (.ci/run does)',
    );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'campus-graph-redis-'));
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const proc = spawn('redis-server', [...args, '--dir', dir], { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await untilPong(port, proc);
  };
  const stop = async () => {
    child?.kill('SIGTERM');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function untilPong(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (proc.exitCode !== null)
      throw new Error(`redis-server exited (${proc.exitCode}) on ${port}`);
    if (await pong(port)) return;
    await sleep(25);
  }
  throw new Error(`redis-server on ${port} did not answer PING within 5 s`);
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let text = '';
    socket.once('error', () => resolve(false));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\r\n')) {
        socket.destroy();
        resolve(text.startsWith('+PONG'));
      }
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}
