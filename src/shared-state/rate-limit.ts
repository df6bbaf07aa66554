import { MemoryRateLimitStore, type RateLimitStore } from '../auth/rate-limit';
import type { SharedRedis } from './redis';

/**
 * Rate limits counted in Redis, so that a client spreading its requests over the replicas meets one limit.
 * The same fixed window as MemoryRateLimitStore: it starts at the client's first request, and
 * `retryAfterMs` is what is left of it. INCR and PEXPIRE run in one script, so a window always expires,
 * whatever replica opened it. While Redis is down each replica counts alone (the limit then applies per
 * replica): refusing every request because the counter is unreachable would turn a Redis outage into one
 * of the gateway.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
`;

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: SharedRedis,
    private readonly local: RateLimitStore = new MemoryRateLimitStore(),
  ) {}

  async hit(key: string, limit: number, windowMs: number) {
    if (this.redis.state() === 'down') return this.local.hit(key, limit, windowMs);
    try {
      const [count, left] = (await this.redis.client.eval(
        HIT,
        1,
        this.redis.key(`rate:${windowMs}:${key}`),
        String(windowMs),
      )) as [number, number];
      const allowed = count <= limit;
      return { allowed, retryAfterMs: allowed ? 0 : left };
    } catch {
      return this.local.hit(key, limit, windowMs);
    }
  }
}
