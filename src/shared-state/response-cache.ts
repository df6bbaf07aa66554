import { createInMemoryCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { SharedRedis } from './redis';

/**
 * The response cache's store in Redis, so that an answer cached by one replica is served by all.
 * (`@envelop/response-cache-redis` would do this, but its releases need @envelop/response-cache 8 and
 * ioredis 5, and the installed plugin is on 9 and the gateway on ioredis 6: this is the same layout.)
 *
 * - `rc:r:<key>`: the answer as JSON, expiring with its TTL.
 * - `rc:t:<Type>` and `rc:t:<Type>:<id>`: the keys of the answers holding that type or object, expiring
 *   no sooner than the longest of them (PEXPIRE NX, then GT).
 * - Invalidation runs as one script (members, their answers, the tag), so an answer stored meanwhile cannot
 *   be left untagged. Like the in-memory store, a read that began before a write may still store its older
 *   answer after it: the TTL bounds that (src/graph/response-cache.ts).
 *
 * While Redis is down the replica caches in memory alone; invalidations it could not send are replayed when
 * Redis is back, and its local answers are dropped then.
 */
/** What an answer is tagged with: a type, or one object of it. */
interface CacheEntityRecord {
  typename: string;
  id?: number | string;
}

const INVALIDATE = `
for _, tag in ipairs(KEYS) do
  for _, id in ipairs(redis.call('SMEMBERS', tag)) do
    redis.call('UNLINK', ARGV[1] .. id)
  end
  redis.call('UNLINK', tag)
end
return 0
`;

/** The local store's size, as in src/graph/response-cache.ts. */
const LOCAL_ENTRIES = 1000;

export function createSharedResponseCacheStore(redis: SharedRedis): Cache {
  let local = createInMemoryCache({ max: LOCAL_ENTRIES });
  const unsent: CacheEntityRecord[] = [];
  const answerKey = (id: string) => redis.key(`rc:r:${id}`);
  const tagKeys = ({ typename, id }: CacheEntityRecord) =>
    id === undefined ? [redis.key(`rc:t:${typename}`)] : [redis.key(`rc:t:${typename}:${id}`)];

  const invalidateShared = async (entities: CacheEntityRecord[]) => {
    const tags = [...new Set(entities.flatMap(tagKeys))];
    if (tags.length > 0)
      await redis.client.eval(INVALIDATE, tags.length, ...tags, redis.key('rc:r:'));
  };

  redis.onUp(() => {
    local = createInMemoryCache({ max: LOCAL_ENTRIES });
    const replay = unsent.splice(0);
    if (replay.length > 0) invalidateShared(replay).catch(() => unsent.push(...replay));
  });

  return {
    async get(id) {
      if (redis.state() === 'down') return local.get(id);
      try {
        const text = await redis.client.get(answerKey(id));
        return text === null ? null : (JSON.parse(text) as ExecutionResult);
      } catch {
        return local.get(id);
      }
    },

    async set(id, data, entities, ttl) {
      const records = [...entities];
      if (redis.state() === 'down') return local.set(id, data, records, ttl);
      const expiring = Number.isFinite(ttl) && ttl > 0;
      const tx = redis.client.multi();
      if (expiring) tx.set(answerKey(id), JSON.stringify(data), 'PX', ttl);
      else tx.set(answerKey(id), JSON.stringify(data));
      for (const record of records) {
        const tags = [
          redis.key(`rc:t:${record.typename}`),
          ...(record.id === undefined ? [] : tagKeys(record)),
        ];
        for (const tag of tags) {
          tx.sadd(tag, id);
          if (expiring) tx.pexpire(tag, ttl, 'NX').pexpire(tag, ttl, 'GT');
        }
      }
      try {
        await tx.exec();
      } catch {
        await local.set(id, data, records, ttl);
      }
    },

    async invalidate(entities) {
      const records = [...entities];
      await local.invalidate(records);
      if (redis.state() === 'down') {
        unsent.push(...records);
        return;
      }
      try {
        await invalidateShared(records);
      } catch {
        unsent.push(...records);
      }
    },
  };
}
