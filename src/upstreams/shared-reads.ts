/**
 * Deduplication of identical upstream reads across gateway replicas (src/shared-state/reads.ts implements it
 * over Redis). Within one process the policy already shares a read in flight; this lets a replica wait for
 * the same read running on another one instead of sending it again.
 *
 * Contract: `share` resolves to what `run` would, either by running it or with the JSON of another
 * replica's successful run of the same key; on any doubt (no answer in time, the other run failed, the store
 * is down) it runs `run` itself. A failed read is never shared. Keys may hold secrets (a Moodle form body
 * carries the token): an implementation must not store them as they are.
 */
export interface SharedReads {
  share<T>(key: string, run: () => Promise<T>): Promise<T>;
}

/** The same reads under a namespace, so that gateways in front of different upstreams never mix answers. */
export function withinNamespace(reads: SharedReads, namespace: string): SharedReads {
  return { share: (key, run) => reads.share(`${namespace}\n${key}`, run) };
}
