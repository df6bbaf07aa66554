import { isUpstreamError, type UpstreamError } from '../upstreams/errors';
import { MoodleBatchError, MoodleError } from '../upstreams/moodle/errors';
import { configurationRefusal } from './refusals';

/** A student a batch write could not handle, and why. */
export interface NipFailure {
  nip: string;
  reason: 'NO_ACCOUNT' | 'SEVERAL_ACCOUNTS' | 'REJECTED' | 'UPSTREAM_UNAVAILABLE';
  message: string;
}

/**
 * Once set, the batches that follow are not sent: a refusal every item shares (a refusal of the gateway's
 * configuration, see refusals.ts, or one found by bisection) would refuse them all. Shared by every chunk of
 * one step; `skipped` counts the items it left out, reported once rather than one line per student.
 */
export interface Halt {
  reason: UpstreamError | null;
  skipped: number;
  /** Set once a single item went through after an identical refusal of both halves: bisection is right here. */
  itemSpecific?: boolean;
}

export const newHalt = (): Halt => ({ reason: null, skipped: 0 });

/** What one step's batches did: applied, refused (in `failures`), and sent without an answer. */
export interface BatchOutcome<T> {
  done: T[];
  /** The request went out and its answer was lost: Moodle may or may not have applied it (re-read them). */
  uncertain: Array<{ item: T; message: string }>;
}

/** Connection failures before a byte was sent: the write surely did not happen. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a write that failed this way may still have been applied. A timeout always may; an unavailable
 * upstream only when the exchange itself failed (the HTTP core sets `detail` to the socket error): the
 * breaker and the fair-share queue refuse before sending, with no detail.
 */
function answerLost(err: UpstreamError): boolean {
  if (err.code === 'TIMEOUT') return true;
  return err.code === 'UNAVAILABLE' && err.detail !== undefined && !NOT_SENT.has(err.detail);
}

/** Two refusals are the same when nothing in them names a different item. */
function signature(err: UpstreamError): string {
  const parameter = err instanceof MoodleError ? err.parameter : null;
  return JSON.stringify([err.upstreamCode, err.message, err.detail ?? null, parameter]);
}

/**
 * Applies items in all-or-nothing batches. A rejected batch is split in two, recursively, so one bad item
 * costs about log2(n) extra calls and everything else still goes through. A refusal every item shares is
 * not bisected down to single students (the live measurement of issue 15: 4,949 calls to refuse 2,488
 * accounts one by one): a configuration refusal halts the step at once, and so does a batch whose two
 * halves are refused exactly like it and whose first item is refused alone too. An unavailable upstream is
 * not bisected either: the items are reported as not done, or as uncertain when the answer was lost.
 */
export async function applyIsolatingFailures<T extends { nip: string }>(
  items: T[],
  apply: (batch: T[]) => Promise<void>,
  failures: NipFailure[],
  halt: Halt = newHalt(),
  outcome: BatchOutcome<T> = { done: [], uncertain: [] },
): Promise<T[]> {
  const before = outcome.done.length;
  const stop = (batch: T[], reason: UpstreamError) => {
    halt.reason ??= reason;
    halt.skipped += batch.length;
  };
  /** One request: null when it is settled (done, or reported), the refusal when it names items. */
  async function tryOnce(batch: T[]): Promise<UpstreamError | null> {
    if (batch.length === 0) return null;
    if (halt.reason) return (stop(batch, halt.reason), null);
    try {
      await apply(batch);
      outcome.done.push(...batch);
      return null;
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      let rest = batch;
      if (err instanceof MoodleBatchError) {
        outcome.done.push(...batch.slice(0, err.appliedCount));
        rest = batch.slice(err.appliedCount);
      }
      return settle(rest, err instanceof MoodleBatchError ? err.failure : err);
    }
  }
  function settle(batch: T[], err: UpstreamError): UpstreamError | null {
    const systematic = configurationRefusal(err);
    if (systematic) return (stop(batch, systematic), null);
    if (answerLost(err)) {
      for (const item of batch) outcome.uncertain.push({ item, message: err.message });
      return null;
    }
    if (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT' || err.code === 'UNAUTHORIZED') {
      for (const item of batch)
        failures.push({ nip: item.nip, reason: 'UPSTREAM_UNAVAILABLE', message: err.message });
      return null;
    }
    return err;
  }
  async function split(batch: T[], err: UpstreamError): Promise<void> {
    if (batch.length === 1) {
      failures.push({ nip: batch[0]!.nip, reason: 'REJECTED', message: err.message });
      return;
    }
    const half = Math.ceil(batch.length / 2);
    const [a, b] = [batch.slice(0, half), batch.slice(half)];
    const [ea, eb] = [await tryOnce(a), await tryOnce(b)];
    if (ea && eb && a.length > 1 && !halt.itemSpecific) {
      const same = signature(ea) === signature(err) && signature(eb) === signature(err);
      if (same && (await sharedByAll(a, ea))) return stop(batch, err);
      if (same) return Promise.all([retry(a.slice(1)), split(b, eb)]).then(() => {});
    }
    if (ea) await split(a, ea);
    if (eb) await split(b, eb);
  }
  async function retry(batch: T[]): Promise<void> {
    const err = await tryOnce(batch);
    if (err) await split(batch, err);
  }
  /** The first item alone: refused the same way, the refusal is every item's; accepted, it is not. */
  async function sharedByAll(a: T[], err: UpstreamError): Promise<boolean> {
    const alone = await tryOnce(a.slice(0, 1));
    if (alone && signature(alone) === signature(err)) return true;
    halt.itemSpecific = true;
    if (alone) failures.push({ nip: a[0]!.nip, reason: 'REJECTED', message: alone.message });
    return false;
  }
  await retry(items);
  return outcome.done.slice(before);
}

/**
 * Runs `run` on chunks of `size` items and returns what each did, in order. The first chunk goes alone, so
 * a refusal every item shares halts the step after one request; the others then run `concurrency` at a time
 * (Moodle serves requests on several PHP workers; each call still waits for a slot of the gateway's fair
 * share of the upstream).
 */
export async function inChunks<T>(
  items: T[],
  size: number,
  run: (batch: T[]) => Promise<T[]>,
  onProgress: (done: number) => void,
  concurrency = 1,
): Promise<T[]> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  const results: T[][] = [];
  let handled = 0;
  const one = async (index: number) => {
    results[index] = await run(chunks[index]!);
    handled += chunks[index]!.length;
    onProgress(handled);
  };
  if (chunks.length > 0) await one(0);
  await eachConcurrently(chunks.map((_, i) => i).slice(1), concurrency, one);
  return results.flat();
}

/** `fn` on every item, at most `limit` at once. */
export async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
