import { z } from 'zod';

/**
 * The variables of shared state (Redis) and of the sync jobs that run on it, parsed like every other
 * variable: an empty value is unset, and messages never echo the value (a Redis URL may hold a password).
 */

/** `REDIS_URL`: redis:// or rediss:// (TLS), e.g. redis://:password@redis.internal:6379/0. */
export const redisUrlSchema = z
  .string()
  .refine((u) => URL.canParse(u) && /^rediss?:$/.test(new URL(u).protocol), {
    message: 'a redis:// or rediss:// URL, e.g. redis://localhost:6379',
  })
  .optional();

/** `SYNC_JOB_LOCK_MS`: how long a replica's claim on a running sync job lasts before another may resume it. */
export const syncJobLockMsSchema = z.coerce.number().int().min(1000).default(30_000);

/** The URL's password (as written and decoded): the logger scrubs both from every line. */
export function redisSecrets(redis: { url: string } | null): string[] {
  if (!redis) return [];
  const { password } = new URL(redis.url);
  if (!password) return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: the raw form is the one in the URL, and it is scrubbed already.
  }
  return [...new Set([password, decoded])];
}
