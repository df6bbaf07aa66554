/**
 * Fair shares of one upstream's concurrency between clients (an API key, a JWT subject, an anonymous IP,
 * `internal` for the CLI and jobs), so one client cannot starve the others:
 *
 * - at most `connections` calls run at once, all clients together (the pool size), and at most `share`
 *   for any one client;
 * - a call that cannot start waits in its client's queue; when a slot frees, clients with a call waiting
 *   take turns (round-robin), whatever the length of their queues: a client with 3,000 calls waiting and
 *   one with 3 alternate;
 * - at most `queue` calls wait, all clients together. Past that, a call from the client with the longest
 *   queue fails fast (QueueFullError); a call from a client with a shorter queue takes the place of the
 *   newest call of the longest queue, which fails instead: a flood fills the queue, it cannot lock others
 *   out of it;
 * - a call whose signal aborts while it waits leaves the queue, rejected with the signal's reason.
 *
 * Pure bookkeeping: no timers, no I/O. The caller's async context (request id, spans) is kept: a waiting
 * call resumes in its own `run`, not in the code that freed the slot.
 */

export interface FairShareOptions {
  /** Calls running at once, all clients together. */
  connections: number;
  /** Calls running at once for one client. */
  share: number;
  /** Calls waiting, all clients together. */
  queue: number;
  /** Told the number of waiting calls each time it changes (a gauge). */
  onQueueChange?: (waiting: number) => void;
}

/** The queue is full: the call never started. */
export class QueueFullError extends Error {
  constructor() {
    super('too many calls waiting');
    this.name = 'QueueFullError';
  }
}

interface Waiter {
  lane: Lane;
  /** The slot is taken for this waiter: its call may start. */
  grant(): void;
  fail(err: Error): void;
}

/** One client's calls: running, and waiting in arrival order. */
interface Lane {
  key: string;
  running: number;
  waiting: Waiter[];
}

export class FairShare {
  private readonly connections: number;
  private readonly share: number;
  private readonly queue: number;
  private readonly onQueueChange: (waiting: number) => void;
  /** Clients with a call running or waiting (dropped when they have neither). */
  private readonly lanes = new Map<string, Lane>();
  /** Clients with a call waiting, in the order of their turn (a served client goes to the back). */
  private readonly turns = new Map<string, Lane>();
  private runningCount = 0;
  private waitingCount = 0;

  constructor(opts: FairShareOptions) {
    this.connections = Math.max(1, opts.connections);
    this.share = Math.max(1, opts.share);
    this.queue = Math.max(0, opts.queue);
    this.onQueueChange = opts.onQueueChange ?? (() => {});
  }

  get running(): number {
    return this.runningCount;
  }

  get waiting(): number {
    return this.waitingCount;
  }

  /** Runs `task` for `client` once a slot is free for it; the slot is held until the task settles. */
  async run<T>(client: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const lane = this.lane(client);
    if (this.runningCount < this.connections && lane.running < this.share && !lane.waiting.length)
      this.take(lane);
    else await this.wait(lane, signal);
    try {
      return await task();
    } finally {
      this.release(lane);
    }
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { key, running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private take(lane: Lane) {
    lane.running += 1;
    this.runningCount += 1;
  }

  private release(lane: Lane) {
    lane.running -= 1;
    this.runningCount -= 1;
    this.dispatch();
    this.forget(lane);
  }

  /** Resolves once a slot has been taken for this call; rejects if the queue has no room or on abort. */
  private wait(lane: Lane, signal: AbortSignal | undefined): Promise<void> {
    if (this.waitingCount >= this.queue && !this.makeRoomFor(lane)) {
      this.forget(lane);
      return Promise.reject(new QueueFullError());
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.remove(waiter);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        lane,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.waiting.push(waiter);
      if (!this.turns.has(lane.key)) this.turns.set(lane.key, lane);
      this.queueChanged(1);
    });
  }

  /** The queue is full: the newest call of a longer queue than this client's gives up its place. */
  private makeRoomFor(lane: Lane): boolean {
    let longest: Lane | undefined;
    for (const other of this.turns.values())
      if (!longest || other.waiting.length > longest.waiting.length) longest = other;
    if (!longest || longest === lane || longest.waiting.length <= lane.waiting.length) return false;
    const evicted = longest.waiting.at(-1);
    if (!evicted) return false;
    this.remove(evicted);
    evicted.fail(new QueueFullError());
    return true;
  }

  /** A waiting call leaves the queue without running (aborted, or evicted). */
  private remove(waiter: Waiter) {
    const { lane } = waiter;
    const at = lane.waiting.indexOf(waiter);
    if (at < 0) return;
    lane.waiting.splice(at, 1);
    if (!lane.waiting.length) this.turns.delete(lane.key);
    this.queueChanged(-1);
    this.forget(lane);
  }

  /** Fills free slots, one call per client in turn, skipping clients already at their share. */
  private dispatch() {
    while (this.runningCount < this.connections) {
      const lane = this.nextTurn();
      if (!lane) return;
      const waiter = lane.waiting.shift()!;
      // To the back of the turns, or out of them with nothing left waiting.
      this.turns.delete(lane.key);
      if (lane.waiting.length) this.turns.set(lane.key, lane);
      this.take(lane);
      this.queueChanged(-1);
      waiter.grant();
    }
  }

  private nextTurn(): Lane | undefined {
    for (const lane of this.turns.values()) if (lane.running < this.share) return lane;
    return undefined;
  }

  private forget(lane: Lane) {
    if (!lane.running && !lane.waiting.length) this.lanes.delete(lane.key);
  }

  private queueChanged(delta: number) {
    this.waitingCount += delta;
    this.onQueueChange(this.waitingCount);
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The call was aborted', 'AbortError');
}
