import { createHash } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { RateLimitStore } from '../auth/rate-limit';
import { SharedListCache } from './list-cache';
import { RedisRateLimitStore } from './rate-limit';
import { RedisSharedReads } from './reads';
import { connectRedis } from './redis';
import { createSharedResponseCacheStore } from './response-cache';
import type { SharedStores } from './stores';

/**
 * The state every replica shares through Redis (REDIS_URL): the stores `createGateway` takes, and what
 * /ready says about them. Loaded by main.ts only when REDIS_URL is set, so a gateway without it never loads
 * ioredis.
 */
export interface SharedState {
  rateLimitStore: RateLimitStore;
  stores: SharedStores;
  close(): Promise<void>;
}

/** How long a start waits for Redis before serving with local state (it keeps reconnecting after). */
const FIRST_CONNECT_MS = 2_000;

export async function openSharedState(
  config: Pick<Config, 'listCacheTtlMs'> & { redis: { url: string } },
  upstreams: { scodoc: { url: string }; moodle: { url: string } },
  log: Logger,
): Promise<SharedState> {
  // Keys are namespaced by the upstreams: gateways in front of other sites may share the same Redis.
  const namespace = createHash('sha256')
    .update(`${upstreams.scodoc.url}\n${upstreams.moodle.url}`)
    .digest('hex')
    .slice(0, 12);
  const redis = connectRedis(config.redis.url, namespace, log);
  const reads = new RedisSharedReads(redis);
  await redis.connected(FIRST_CONNECT_MS);
  return {
    rateLimitStore: new RedisRateLimitStore(redis),
    stores: {
      lists: new SharedListCache(redis, config.listCacheTtlMs),
      responseCacheStore: createSharedResponseCacheStore(redis),
      reads,
      report: () =>
        redis.state() === 'up'
          ? { store: 'redis', ok: true }
          : { store: 'redis', ok: false, error: redis.lastError() },
    },
    close: async () => {
      reads.close();
      await redis.close();
    },
  };
}
