import { ListCache, type ListStore } from '../domain/list-cache';
import type { SharedRedis } from './redis';

/**
 * The list cache shared by every replica: entries are JSON in Redis, kept LIST_CACHE_TTL_MS like the local
 * one; concurrent misses in one process still share one fetch.
 *
 * Invalidation by prefix across replicas uses generations, not SCAN + UNLINK: each family a key belongs to
 * ('', 'moodle:', 'moodle:course-enrolments:', and the key itself) has a counter, an entry is stored with
 * the counters read before its fetch began, and it counts only while they are unchanged. Invalidating a
 * prefix is one INCR, atomic and O(1) however many keys it covers. SCAN + UNLINK is neither: a fetch that
 * began before the write and stores after the scan would survive it (stale until the TTL), and scanning
 * costs as much as the keyspace. Counters outlive every entry (ten TTLs, at least an hour) so one that
 * expires and restarts at 0 can never make an old entry current again.
 *
 * While Redis is down: the local ListCache serves, invalidations that could not be sent are replayed once it
 * is back, and the local entries are dropped then (they would be stale at the next outage).
 */
export class SharedListCache implements ListStore {
  private readonly local: ListCache;
  private readonly loading = new Map<string, Promise<unknown>>();
  private readonly sending = new Set<Promise<void>>();
  private readonly unsent = new Set<string>();

  constructor(
    private readonly redis: SharedRedis,
    private readonly ttlMs: number,
  ) {
    this.local = new ListCache(ttlMs);
    redis.onUp(() => this.reconnected());
  }

  get<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0 || this.redis.state() === 'down') return this.local.get(key, fetch);
    const pending = this.loading.get(key);
    if (pending) return pending as Promise<T>;
    const started = this.load(key, fetch).finally(() => this.loading.delete(key));
    this.loading.set(key, started);
    return started;
  }

  invalidate(prefix: string): void {
    this.local.invalidate(prefix);
    if (this.ttlMs <= 0) return;
    const sent = this.bump(prefix).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /** The gateway awaits this before a mutation answers: the next read, on any replica, sees the write. */
  async settled(): Promise<void> {
    await Promise.all([...this.sending]);
  }

  private async load<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const families = familiesOf(key);
    let version: string;
    let stored: string | null;
    try {
      const values = await this.redis.client.mget(
        ...families.map((f) => this.generationKey(f)),
        this.entryKey(key),
      );
      stored = values.pop() ?? null;
      version = values.map((g) => g ?? '0').join('.');
    } catch {
      return this.local.get(key, fetch);
    }
    if (stored !== null) {
      const entry = JSON.parse(stored) as { version: string; value: T };
      if (entry.version === version) return entry.value;
    }
    // A failed fetch throws here: nothing is stored.
    const value = await fetch();
    // Awaited, so that the answer leaves after the entry is in: the next read on any replica finds it.
    await this.redis.client
      .set(this.entryKey(key), JSON.stringify({ version, value }), 'PX', this.ttlMs)
      .catch(() => undefined);
    return value;
  }

  private async bump(prefix: string): Promise<void> {
    const key = this.generationKey(prefix);
    try {
      await this.redis.client
        .multi()
        .incr(key)
        .pexpire(key, Math.max(10 * this.ttlMs, 3_600_000))
        .exec();
    } catch {
      this.unsent.add(prefix);
    }
  }

  private reconnected(): void {
    this.local.invalidate('');
    const prefixes = [...this.unsent];
    this.unsent.clear();
    for (const prefix of prefixes) this.invalidate(prefix);
  }

  private generationKey(prefix: string): string {
    return this.redis.key(`lists:gen:${prefix}`);
  }

  private entryKey(key: string): string {
    return this.redis.key(`lists:entry:${key}`);
  }
}

/** Every prefix of `key` an invalidation may name: the root, each family ending in ':', the key itself. */
function familiesOf(key: string): string[] {
  const families = [''];
  for (let i = key.indexOf(':'); i !== -1; i = key.indexOf(':', i + 1))
    families.push(key.slice(0, i + 1));
  if (!key.endsWith(':')) families.push(key);
  return families;
}
