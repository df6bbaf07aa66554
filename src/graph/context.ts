import { NOBODY, type Caller } from '../auth/scopes';
import type { Logger } from '../log';
import type { AccountPolicy, WriteDeps } from '../writes/context';
import type { MoodleClient } from '../upstreams/moodle/client';
import type { ScodocClient } from '../upstreams/scodoc/client';
import type { LinkingRules } from './linking';
import type { ListCache } from './list-cache';
import { createLoaders, type Loaders } from './loaders';

export interface Upstreams {
  scodoc: ScodocClient;
  moodle: MoodleClient;
}

/** What every resolver receives: loaders (fresh per request, so batching and caching never cross requests). */
export interface GraphContext {
  loaders: Loaders;
  log: Logger;
  /** Everything the write services need. */
  writes: WriteDeps;
  /** Who is calling and what they may do (authenticated before Yoga sees the request). */
  caller: Caller;
}

export interface ContextDeps extends Upstreams {
  log: Logger;
  accounts: AccountPolicy;
  linking: LinkingRules;
  lists: ListCache;
  /** Today's date for "current" semesters; injectable so tests are deterministic. */
  today: () => string;
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
    loaders: createLoaders(deps),
    log: deps.log,
    writes,
    caller: server.req?.caller ?? NOBODY,
  });
}
