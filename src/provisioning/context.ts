import type { AccountPolicy } from '../domain/accounts';
import type { LinkingRules } from '../domain/linking';
import type { ListStore } from '../domain/list-cache';
import type { Logger } from '../log';
import type { MoodleClient } from '../upstreams/moodle/client';
import type { ScodocClient } from '../upstreams/scodoc/client';

/** What every write needs, the mutations' services and the sync alike. */
export interface WriteDeps {
  scodoc: ScodocClient;
  moodle: MoodleClient;
  linking: LinkingRules;
  lists: ListStore;
  log: Logger;
  accounts: AccountPolicy;
  /**
   * Chunks of one sync step in flight at once (default 4: the PHP workers of the Moodle 5.0.6 site measured
   * in issue 15). The gateway's fair share of the pool (¾ of it per client) still bounds the calls.
   */
  syncConcurrency?: number;
}

/** Upstream records a write created, changed or deleted, for the audit line. */
export class Trail {
  readonly touched: string[] = [];
  touch(system: 'scodoc' | 'moodle', what: string, id: string | number): void {
    this.touched.push(`${system}:${what}:${id}`);
  }
}

/** Runs an undo step; says whether it worked, logging (never throwing) when it did not. */
export async function compensate(
  log: Logger,
  what: string,
  undo: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await undo();
    return true;
  } catch (err) {
    log.error({ err, compensation: what }, 'compensation failed');
    return false;
  }
}
