import type { Logger } from '../log';
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
}

export interface ContextDeps extends Upstreams {
  log: Logger;
  linking: LinkingRules;
  lists: ListCache;
  /** Today's date for "current" semesters; injectable so tests are deterministic. */
  today: () => string;
}

export function createContextFactory(deps: ContextDeps) {
  return (): GraphContext => ({ loaders: createLoaders(deps), log: deps.log });
}
