import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SharedReads } from '../upstreams/shared-reads';
import type { SharedRedis } from './redis';

/**
 * Identical upstream reads in flight on several replicas, sent once (the contract: src/upstreams/shared-reads.ts).
 *
 * The first replica takes a lock, `SET NX PX` under the SHA-256 of the key (keys hold secrets: a Moodle form
 * body carries the token), runs the read and, when it succeeds, stores its JSON under its own lock token
 * and publishes a notice. A replica finding the lock taken learns that token in the same command
 * (`SET NX GET`, Redis 7), so it only ever takes the answer of the run it met, never an older one, and waits
 * for the notice at most WAIT_MS, then runs the read itself. It runs it itself too when the other run fails
 * (a failure is never shared: each replica retries on its own), when the answer is not JSON or too big, and
 * on any Redis error. The lock lives LOCK_MS: a replica that died mid-read delays the others that long, once.
 *
 * What is shared is what the clients' reads resolve to: zod-parsed JSON replies (ScoDoc's records, Moodle's
 * `{data, warnings}`), which survive JSON as they are.
 */
const LOCK_MS = 5_000;
const WAIT_MS = 5_000;
/** How long a published answer stays for the replicas that met its run (they read it within ms). */
const RESULT_MS = 5_000;
const MAX_RESULT_CHARS = 8 * 1024 * 1024;

/** Stores the answer (when there is one), frees the lock if still ours, and tells the waiting replicas. */
const FINISH = `
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', KEYS[3], ARGV[4])
return 0
`;

type Outcome = 'done' | 'failed' | 'timeout';

export class RedisSharedReads implements SharedReads {
  private readonly subscriber: Redis;
  private readonly waiting = new Map<string, Set<(outcome: Outcome) => void>>();
  private readonly channel: string;
  /** Only while subscribed does a replica wait for another's notice (else it would wait in vain). */
  private subscribed = false;

  constructor(private readonly redis: SharedRedis) {
    this.channel = redis.key('reads:finished');
    // Subscriber mode needs its own connection, subscribed again on each (re)connection.
    this.subscriber = redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => this.noticed(message));
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => (this.subscribed = true),
        () => undefined,
      );
    });
    this.subscriber.on('close', () => (this.subscribed = false));
  }

  /** Whether reads are shared right now (Redis up and the notices heard). */
  ready(): boolean {
    return this.subscribed && this.redis.state() === 'up';
  }

  async share<T>(key: string, run: () => Promise<T>): Promise<T> {
    if (!this.ready()) return run();
    const id = createHash('sha256').update(key).digest('hex');
    const token = randomUUID();
    let holder: unknown;
    try {
      const lock = this.redis.key(`reads:lock:${id}`);
      holder = await this.redis.client.call('SET', lock, token, 'PX', String(LOCK_MS), 'NX', 'GET');
    } catch {
      return run();
    }
    if (typeof holder === 'string') return this.follow(`${id}:${holder}`, run);
    return this.lead(id, token, run);
  }

  close(): void {
    this.subscriber.disconnect();
  }

  private async lead<T>(id: string, token: string, run: () => Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await run();
    } catch (err) {
      this.finish(id, token, '');
      throw err;
    }
    const text = JSON.stringify(value) as string | undefined;
    this.finish(id, token, text !== undefined && text.length <= MAX_RESULT_CHARS ? text : '');
    return value;
  }

  /** Not awaited: the replica that ran the read answers at once; the others hear within a round trip. */
  private finish(id: string, token: string, text: string): void {
    const run = `${id}:${token}`;
    this.redis.client
      .eval(
        FINISH,
        3,
        this.redis.key(`reads:lock:${id}`),
        this.redis.key(`reads:result:${run}`),
        this.channel,
        token,
        text,
        String(RESULT_MS),
        `${text === '' ? 'failed' : 'done'} ${run}`,
      )
      .catch(() => undefined);
  }

  private async follow<T>(run: string, read: () => Promise<T>): Promise<T> {
    const notice = this.listen(run);
    try {
      // The answer may have been published before this replica listened.
      let text = await this.redis.client.get(this.redis.key(`reads:result:${run}`));
      if (text === null && (await notice.outcome) === 'done')
        text = await this.redis.client.get(this.redis.key(`reads:result:${run}`));
      if (text !== null) return JSON.parse(text) as T;
    } catch {
      // Redis failed meanwhile: the read itself is what matters.
    } finally {
      notice.cancel();
    }
    return read();
  }

  private listen(run: string): { outcome: Promise<Outcome>; cancel(): void } {
    let callback: (outcome: Outcome) => void = () => undefined;
    const outcome = new Promise<Outcome>((resolve) => (callback = resolve));
    const timer = setTimeout(() => callback('timeout'), WAIT_MS);
    let set = this.waiting.get(run);
    if (!set) this.waiting.set(run, (set = new Set()));
    set.add(callback);
    return {
      outcome,
      cancel: () => {
        clearTimeout(timer);
        set.delete(callback);
        if (set.size === 0) this.waiting.delete(run);
      },
    };
  }

  private noticed(message: string): void {
    const [outcome, run] = message.split(' ');
    for (const callback of this.waiting.get(run ?? '') ?? [])
      callback(outcome === 'done' ? 'done' : 'failed');
  }
}
