import type { ListCache } from '../graph/list-cache';
import type { LinkingRules } from '../graph/linking';
import type { Logger } from '../log';
import { isUpstreamError, type UpstreamError } from '../upstreams/errors';
import type { MoodleClient } from '../upstreams/moodle/client';
import type { ScodocClient } from '../upstreams/scodoc/client';

export interface AccountPolicy {
  /** How a Moodle username is made from a student: the NIP, "prenom.nom", or the e-mail address. Always lower case. */
  usernameRule: 'nip' | 'firstname.lastname' | 'email';
  /** Moodle auth plugin for new accounts: cas, ldap, shibboleth... or manual (a random password is set). */
  auth: string;
}

export interface WriteDeps {
  scodoc: ScodocClient;
  moodle: MoodleClient;
  linking: LinkingRules;
  lists: ListCache;
  log: Logger;
  accounts: AccountPolicy;
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

export function asUpstreamError(err: unknown): UpstreamError | null {
  return isUpstreamError(err) ? err : null;
}
