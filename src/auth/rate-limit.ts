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

/**
 * Failed authentications per IP: once an address has failed `limit` times in a window, every request from it
 * is refused (429) until the window ends, valid credentials included, so guessing keys stays slow.
 */
export class AuthFailureThrottle {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `ip` may try again; 0 when it may now. */
  blockedFor(ip: string): number {
    const w = this.windows.get(ip);
    if (!w) return 0;
    const left = w.start + this.windowMs - this.now();
    if (left <= 0) {
      this.windows.delete(ip);
      return 0;
    }
    return w.count >= this.limit ? left : 0;
  }

  /** Counts one failure of `ip`. */
  fail(ip: string): void {
    const now = this.now();
    let w = this.windows.get(ip);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(ip, w);
      if (this.windows.size >= 1000)
        for (const [key, old] of this.windows)
          if (now - old.start >= this.windowMs) this.windows.delete(key);
    }
    w.count += 1;
  }
}
