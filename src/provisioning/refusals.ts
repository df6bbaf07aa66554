import { UpstreamError } from '../upstreams/errors';
import { MoodleError } from '../upstreams/moodle/errors';

/**
 * A Moodle refusal caused by the gateway's own configuration rather than by one student, reworded to name
 * the setting to change. Every item of a batch would be refused the same way, so a batch that meets one is
 * not split to find "the bad item" (there is none): the rest is reported with this message instead.
 */
export function configurationRefusal(err: unknown): UpstreamError | null {
  if (!(err instanceof MoodleError)) return null;
  if (err.parameter?.expected === 'auth' && err.parameter.path.at(-1) === 'auth') {
    const value = err.parameter.value ?? '?';
    return new UpstreamError({
      system: 'moodle',
      code: 'REJECTED',
      upstreamCode: err.upstreamCode,
      message: `Moodle refused the authentication method "${value}" set by MOODLE_AUTH: ${err.hint ?? 'the site has no such plugin'}. Set MOODLE_AUTH to a plugin the site has enabled (manual, or its single sign-on: ldap, shibboleth, oauth2, cas when installed); see the README, "Accounts".`,
      detail: err.detail,
    });
  }
  // The token, the service and the web-service user's rights are the same for every item.
  if (
    ['invalidtoken', 'accessexception', 'wsusercannotassign', 'nopermissions'].includes(
      err.upstreamCode ?? '',
    )
  )
    return err;
  return null;
}
