import { NOBODY, type Caller } from '../auth/scopes';
import type { AccountPolicy } from '../domain/accounts';
import type { SyncJobs } from '../jobs/model';
import type { Logger } from '../log';
import type { WriteDeps } from '../provisioning/context';
import { createLoaders, type LoaderDeps, type Loaders } from './loaders';
import type { ResponseCacheInvalidation } from './response-cache';

/** What every resolver receives: loaders (fresh per request, so batching and caching never cross requests). */
export interface GraphContext {
  loaders: Loaders;
  log: Logger;
  /** Everything the write services need. */
  writes: WriteDeps;
  /** Who is calling and what they may do (authenticated before Yoga sees the request). */
  caller: Caller;
  /** The response cache, when on: each mutation drops the cached answers it may have made stale. */
  responseCache?: ResponseCacheInvalidation;
  /** Sync jobs: BullMQ's with Redis, this process's without. */
  jobs: SyncJobs;
}

export interface ContextDeps extends LoaderDeps {
  log: Logger;
  accounts: AccountPolicy;
  responseCache?: ResponseCacheInvalidation;
  jobs: SyncJobs;
}

export function createContextFactory(deps: ContextDeps) {
  const writes: WriteDeps = {
    scodoc: deps.scodoc,
    moodle: deps.moodle,
    linking: deps.linking,
    lists: deps.lists,
    log: deps.log,
    accounts: deps.accounts,
  };
  return (server: { req?: { caller?: Caller } }): GraphContext => ({
    loaders: lazyLoaders(deps),
    log: deps.log,
    writes,
    caller: server.req?.caller ?? NOBODY,
    responseCache: deps.responseCache,
    jobs: deps.jobs,
  });
}

/**
 * The loaders, built on first use: building them all costs ~75 µs, which a request that reads no upstream (a
 * response-cache hit, `{ __typename }`, a refused query) would pay for nothing. A proxy, not a getter: Yoga
 * merges the context with Object.assign, which reads (and so would call) every getter.
 */
function lazyLoaders(deps: LoaderDeps): Loaders {
  let loaders: Loaders | undefined;
  return new Proxy({} as Loaders, {
    get: (_target, key) => (loaders ??= createLoaders(deps))[key as keyof Loaders],
  });
}
