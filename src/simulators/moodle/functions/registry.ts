import { CATEGORY_FUNCTIONS } from './categories';
import { COURSE_FUNCTIONS } from './courses';
import { ENROLMENT_FUNCTIONS } from './enrolments';
import { GROUPING_FUNCTIONS } from './groupings';
import { GROUP_FUNCTIONS } from './groups';
import type { WsFunction } from './shared';
import type { MoodleStore } from '../store';
import { siteFunctions } from './site';
import { USER_FUNCTIONS } from './users';

export { MoodleException, type WsFunction } from './shared';

/**
 * The web-service functions, with Moodle's parameter descriptions and semantics: which calls are
 * all-or-nothing, which report per-item warnings, what comes back as `null`, and the recorded quirks.
 */

/** The dispatch table. Its key order is the order core_webservice_get_site_info lists the functions in. */
export const FUNCTIONS: Record<string, WsFunction> = {
  ...siteFunctions((store) => serviceFunctionsOf(store)),
  ...USER_FUNCTIONS,
  ...CATEGORY_FUNCTIONS,
  ...COURSE_FUNCTIONS,
  ...ENROLMENT_FUNCTIONS,
  ...GROUP_FUNCTIONS,
  ...GROUPING_FUNCTIONS,
};

/** Functions that exist in Moodle but that the demo service does not include. */
export const OUT_OF_SERVICE = new Set([
  'core_message_send_instant_messages',
  'core_course_update_courses',
  'core_role_assign_roles',
  'core_role_unassign_roles',
]);

/** What the gateway's service allows (as core_webservice_get_site_info reports): all of them, or a test's set. */
function serviceFunctionsOf(store: MoodleStore): string[] {
  return Object.keys(FUNCTIONS).filter(
    (f) => !store.serviceFunctions || store.serviceFunctions.has(f),
  );
}

export const ACCESS_DEBUGINFO = (fn: string) =>
  `Access to the function ${fn}() is not allowed.
                     There could be multiple reasons for this:
                     1. The service linked to the user token does not contain the function.
                     2. The service is user-restricted and the user is not listed.
                     3. The service is IP-restricted and the user IP is not listed.
                     4. The service is time-restricted and the time has expired.
                     5. The token is time-restricted and the time has expired.
                     6. The service requires a specific capability which the user does not have.
                     7. The function is called with username/password (no user token is sent)
                     and none of the services has the function to allow the user.
                     These settings can be found in Administration > Site administration
                     > Server > Web services > External services and Manage tokens.`;
