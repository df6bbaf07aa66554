/**
 * Requests per client per window. The store is an interface so that several gateway instances can share
 * counts (a Redis store implements `hit` with INCR + PEXPIRE); the in-memory one serves a single process.
 */
export interface RateLimitStore {
  /** Counts one request for `key`; says whether it is within `limit` for the current window. */
  hit(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<{ allowed: boolean; retryAfterMs: number }>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, limit: number, windowMs: number) {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      this.sweep(now, windowMs);
    }
    w.count += 1;
    return Promise.resolve({
      allowed: w.count <= limit,
      retryAfterMs: w.count <= limit ? 0 : w.start + windowMs - now,
    });
  }

  /** Forgets finished windows, so idle clients do not accumulate. */
  private sweep(now: number, windowMs: number) {
    if (this.windows.size < 1000) return;
    for (const [key, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(key);
  }
}
