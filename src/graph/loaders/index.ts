import type { LinkingRules } from '../../domain/linking';
import type { ListStore } from '../../domain/list-cache';
import type { MoodleClient } from '../../upstreams/moodle/client';
import type { ScodocClient } from '../../upstreams/scodoc/client';
import { createGroupLoaders } from './groups';
import { createLinkLoaders } from './links';
import { createMoodleLoaders } from './moodle';
import { createScodocLoaders } from './scodoc';
import { memoizer } from './support';

/**
 * Every upstream read the graph makes, per request: resolvers ask these, these ask the clients. Split by
 * upstream (scodoc.ts, moodle.ts) and the links between them (links.ts); one memo per request for lists.
 */
export interface LoaderDeps {
  scodoc: ScodocClient;
  moodle: MoodleClient;
  linking: LinkingRules;
  lists: ListStore;
  /** Today's date (ISO) for "current" semesters; injectable so tests are deterministic. */
  today: () => string;
}

export function createLoaders(deps: LoaderDeps) {
  const memo = memoizer();
  const scodoc = createScodocLoaders(deps, memo);
  const moodle = createMoodleLoaders(deps, memo);
  const links = createLinkLoaders(deps.linking, scodoc, moodle);
  return { ...scodoc, ...moodle, ...links, ...createGroupLoaders(deps, scodoc, moodle, links) };
}

export type Loaders = ReturnType<typeof createLoaders>;
