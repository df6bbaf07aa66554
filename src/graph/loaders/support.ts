import { inSpan } from '../../observability/tracing';
import type { StudentModel } from '../../domain/models';
import { rosterKey } from '../paging';

/**
 * Runs one upstream call per key (for routes with no batch form) and isolates failures: a key whose call
 * failed gets its own Error, which DataLoader hands to that field only, so its siblings still resolve.
 */
export function eachKey<K, V>(
  keys: readonly K[],
  load: (key: K) => Promise<V>,
): Promise<Array<V | Error>> {
  return inSpan('loader batch', { 'loader.keys': keys.length }, () =>
    Promise.all(
      keys.map((key) =>
        load(key).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
      ),
    ),
  );
}

export type Memo = <T>(key: string, fetch: () => Promise<T>) => Promise<T>;

/** Per-request memo for list-shaped reads (one call however many fields ask). Failures are not kept. */
export function memoizer(): Memo {
  const cache = new Map<string, Promise<unknown>>();
  return <T>(key: string, fetch: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit) return hit as Promise<T>;
    const started = fetch();
    cache.set(key, started);
    started.catch(() => cache.delete(key));
    return started;
  };
}

/** The same order as the roster cursor key, so keyset paging can binary-search the list. */
export function byRoster(a: StudentModel, b: StudentModel): number {
  const ka = rosterKey(a.lastName, a.firstName, a.etudid);
  const kb = rosterKey(b.lastName, b.firstName, b.etudid);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
