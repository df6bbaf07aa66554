import type { ListStore } from '../domain/list-cache';
import type { ResponseCacheStore } from '../graph/response-cache';
import type { SharedStateReport } from '../health/readiness';
import type { SharedReads } from '../upstreams/shared-reads';

/**
 * What `createGateway` takes to share its state with the other replicas (REDIS_URL; built by ./open.ts),
 * beside the rate limit store it already took. Types only: the gateway itself never imports ioredis.
 */
export interface SharedStores {
  lists: ListStore;
  responseCacheStore: ResponseCacheStore;
  reads: SharedReads;
  /** What /ready says about them (no I/O). */
  report: () => SharedStateReport;
}
