import { isUpstreamError } from '../upstreams/errors';
import type { MoodleClient } from '../upstreams/moodle/client';
import { GATEWAY_FUNCTIONS } from '../upstreams/moodle/schemas';

/**
 * What the gateway can tell about its Moodle from the web-service token alone: the release, the functions
 * its external service lacks (core_webservice_get_site_info lists those it holds), and the capabilities
 * whose absence makes look-ups answer nothing instead of failing (moodle-live-findings.md) — found by
 * looking the gateway's own account up, which must exist.
 */
export interface MoodleCheck {
  /** The token works: Moodle answered site info. */
  reachable: boolean;
  release: string | null;
  version: string | null;
  /** Functions the gateway calls that the token's service does not hold. */
  missingFunctions: string[];
  /** Configuration problems that make some answers wrong or some writes fail, each with its fix. */
  problems: string[];
  /** Why Moodle could not be checked at all. */
  error?: string;
  /** The token itself was refused: nothing will work until it is fixed. */
  unauthorized?: boolean;
}

export async function checkMoodle(moodle: MoodleClient): Promise<MoodleCheck> {
  let info;
  try {
    info = await moodle.getSiteInfo();
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const unauthorized = isUpstreamError(err) && err.code === 'UNAUTHORIZED';
    const empty = { release: null, version: null, missingFunctions: [], problems: [] };
    return { reachable: false, ...empty, error, unauthorized };
  }
  const held = new Set((info.functions ?? []).map((f) => f.name));
  const missingFunctions = GATEWAY_FUNCTIONS.filter((f) => !held.has(f));
  const problems = missingFunctions.map(
    (f) =>
      `the token's external service lacks ${f}: add it (Site administration › Server › Web services › External services › Functions)`,
  );
  if (held.has('core_user_get_users_by_field'))
    problems.push(...(await silentCapabilities(moodle)));
  return {
    reachable: true,
    release: info.release ?? null,
    version: info.version ?? null,
    missingFunctions,
    problems,
  };
}

/**
 * Without moodle/user:viewalldetails a look-up by username or idnumber answers [] for users that exist (the
 * gateway would then create duplicates), and a look-up by id leaves username, idnumber and auth out; without
 * moodle/site:viewuseridentity the e-mail is left out (moodle-live-findings.md, and seen on the live site:
 * the web-service user always sees its own account whole, so another one is looked at). Moodle's guest
 * account (id 1 on every site) is that other account.
 */
async function silentCapabilities(moodle: MoodleClient): Promise<string[]> {
  try {
    const fields = await moodle.visibleUserFields(GUEST_USER_ID);
    if (!fields) return [];
    const problems: string[] = [];
    if (!fields.includes('username'))
      problems.push(
        "moodle/user:viewalldetails is missing from the web-service user's role: look-ups by username and idnumber answer nothing for existing users, so accounts would be created twice",
      );
    if (!fields.includes('email'))
      problems.push(
        "moodle/site:viewuseridentity is missing from the web-service user's role: e-mails are not returned, so look-ups by e-mail answer nothing",
      );
    return problems;
  } catch (err) {
    return [
      `the gateway could not check what its Moodle account may see: ${isUpstreamError(err) ? err.message : String(err)}`,
    ];
  }
}

const GUEST_USER_ID = 1;
