import { isUpstreamError } from '../upstreams/errors';
import { GATEWAY_FUNCTIONS, type MoodleClient } from '../upstreams/moodle/client';

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
    problems.push(...(await silentCapabilities(moodle, info)));
  return {
    reachable: true,
    release: info.release ?? null,
    version: info.version ?? null,
    missingFunctions,
    problems,
  };
}

/**
 * Without moodle/user:viewalldetails a look-up by username or idnumber answers [] for users that exist
 * (the gateway would then create duplicates); without moodle/site:viewuseridentity the e-mail is left out.
 * The gateway's own account is looked up both ways to see which applies.
 */
async function silentCapabilities(
  moodle: MoodleClient,
  me: { userid: number; username: string },
): Promise<string[]> {
  try {
    const [byUsername, byId] = await Promise.all([
      moodle.getUsersByField('username', [me.username]),
      moodle.getUsersByField('id', [String(me.userid)]),
    ]);
    const problems: string[] = [];
    if (byUsername.length === 0)
      problems.push(
        "moodle/user:viewalldetails is missing from the web-service user's role: look-ups by username and idnumber answer nothing for existing users, so accounts would be created twice",
      );
    if (byId.length > 0 && !byId.some((u) => typeof u.email === 'string' && u.email !== ''))
      problems.push(
        "moodle/site:viewuseridentity is missing from the web-service user's role: e-mails are not returned, so look-ups by e-mail answer nothing",
      );
    return problems;
  } catch (err) {
    return [
      `the gateway could not look its own Moodle account up: ${isUpstreamError(err) ? err.message : String(err)}`,
    ];
  }
}
