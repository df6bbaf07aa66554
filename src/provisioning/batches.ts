import { isUpstreamError, type UpstreamError } from '../upstreams/errors';
import { configurationRefusal } from './refusals';

/** A student a batch write could not handle, and why. */
export interface NipFailure {
  nip: string;
  reason: 'NO_ACCOUNT' | 'SEVERAL_ACCOUNTS' | 'REJECTED' | 'UPSTREAM_UNAVAILABLE';
  message: string;
}

/**
 * Once set, the batches that follow are not sent: a refusal of the gateway's configuration (see
 * refusals.ts) would refuse them all. Shared by every chunk of one step.
 */
export interface Halt {
  reason: UpstreamError | null;
}

/**
 * Applies items in all-or-nothing batches. A rejected batch is split in two, recursively, so one bad item
 * costs about log2(n) extra calls and everything else still goes through. An unavailable upstream is not
 * bisected: the remaining items are reported as not done; nor is a refusal of the configuration, which
 * halts the step (every later item is reported with it, and nothing more is sent).
 */
export async function applyIsolatingFailures<T extends { nip: string }>(
  items: T[],
  apply: (batch: T[]) => Promise<void>,
  failures: NipFailure[],
  halt: Halt = { reason: null },
): Promise<T[]> {
  const done: T[] = [];
  const refuseAll = (batch: T[], reason: UpstreamError) => {
    for (const item of batch)
      failures.push({ nip: item.nip, reason: 'REJECTED', message: reason.message });
  };
  async function attempt(batch: T[]): Promise<void> {
    if (batch.length === 0) return;
    if (halt.reason) return refuseAll(batch, halt.reason);
    try {
      await apply(batch);
      done.push(...batch);
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      const systematic = configurationRefusal(err);
      if (systematic) {
        halt.reason = systematic;
        return refuseAll(batch, systematic);
      }
      if (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT' || err.code === 'UNAUTHORIZED') {
        for (const item of batch)
          failures.push({ nip: item.nip, reason: 'UPSTREAM_UNAVAILABLE', message: err.message });
        return;
      }
      if (batch.length === 1) {
        failures.push({ nip: batch[0]!.nip, reason: 'REJECTED', message: err.message });
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await attempt(batch.slice(0, half));
      await attempt(batch.slice(half));
    }
  }
  await attempt(items);
  return done;
}

/** Runs `run` on consecutive chunks of `size` items, reporting progress after each; returns what each did. */
export async function inChunks<T>(
  items: T[],
  size: number,
  run: (batch: T[]) => Promise<T[]>,
  onProgress: (done: number) => void,
): Promise<T[]> {
  const done: T[] = [];
  for (let i = 0; i < items.length; i += size) {
    done.push(...(await run(items.slice(i, i + size))));
    onProgress(Math.min(i + size, items.length));
  }
  return done;
}
