import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { loadConfig } from '../config';
import type { ServeArgs } from './args';

/**
 * `campusgraph serve --workers N`: the gateway of `npm start` in N processes sharing one port (node:cluster
 * hands each new connection to a worker in turn). Each worker drains on SIGTERM as a single gateway does;
 * the primary passes the signal on, waits for them all and exits. A worker that dies is replaced.
 */

/** A worker that dies sooner than this after it started is not replaced: it would only die again. */
const MIN_LIFETIME_MS = 5_000;

export async function serve(args: ServeArgs): Promise<number> {
  if (cluster.isWorker) {
    // The worker runs the gateway itself: main.ts starts it when imported.
    await import('../main');
    return new Promise<number>(() => {});
  }
  const config = loadConfig();
  if (config.scodoc.simulated || config.moodle.simulated) {
    process.stderr.write(
      'campusgraph serve runs against real upstreams: each worker would simulate its own, with its own data. ' +
        'Set SCODOC_URL and MOODLE_URL (and their credentials), or use `npm start` for the demo.\n',
    );
    return 2;
  }
  const count = args.workers || availableParallelism();
  if (!config.redis)
    process.stderr.write(
      `campusgraph serve: ${count} workers without REDIS_URL: each keeps its own rate limits, caches and sync jobs.\n`,
    );
  return primary(count);
}

function primary(count: number): Promise<number> {
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  for (let i = 0; i < count; i++) fork();
  return new Promise<number>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) {
        if (startedAt.size === 0) resolve(0);
        return;
      }
      process.stderr.write(
        `campusgraph serve: worker ${worker.process.pid} exited (${signal ?? code})\n`,
      );
      if (lived >= MIN_LIFETIME_MS) return void fork();
      // Dying at start (a bad setting, a port in use): every worker would; stop them all.
      stopping = true;
      for (const w of startedAt.keys()) w.process.kill('SIGTERM');
      if (startedAt.size === 0) resolve(1);
    });
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const w of startedAt.keys()) w.process.kill('SIGTERM');
      if (startedAt.size === 0) resolve(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
