/**
 * What a Moodle refusal means, read from its errorcode and from the safe part of its debuginfo. Moodle says
 * `invalidparameter` for everything from a missing field to a site that lacks an auth plugin, and only
 * debuginfo (which can also hold SQL and file paths) says which; the gateway keeps the parameter path, the
 * value sent and the type expected, never the rest, and turns them into a sentence that names the fix.
 */

export interface ParameterProblem {
  /** Path of the offending parameter, e.g. ["users", "auth"]. */
  path: string[];
  /** The value the gateway sent, when Moodle quoted it (never for secret-looking keys). */
  value?: string;
  /** The PARAM_* type Moodle expected ("auth", "username", "int"...). */
  expected?: string;
  /** A required key that was missing. */
  missingKey?: string;
}

const STEP = /^(\w+) => Invalid parameter value detected: /;
const BAD_VALUE =
  /^Invalid external api parameter: the value is "(.*)", the server was expecting "(\w+)" type$/s;
const MISSING_KEY = /^Missing required key in single structure: (\w+)$/;
const SECRET_KEY = /pass|token|secret|key/i;

/** The parameter an `invalidparameter` debuginfo points at, or null when it says something else. */
export function parameterProblem(debuginfo: string | undefined): ParameterProblem | null {
  if (!debuginfo) return null;
  const path: string[] = [];
  let rest = debuginfo.trim();
  for (let m = STEP.exec(rest); m; m = STEP.exec(rest)) {
    path.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  const missing = MISSING_KEY.exec(rest);
  if (missing) return { path: [...path, missing[1]!], missingKey: missing[1]! };
  const bad = BAD_VALUE.exec(rest);
  if (!bad || path.length === 0) return null;
  const key = path[path.length - 1]!;
  return { path, expected: bad[2]!, value: SECRET_KEY.test(key) ? undefined : bad[1]! };
}

/** Human names of the capabilities Moodle's `nopermissions` message quotes, and their ids. */
const CAPABILITIES: Record<string, string> = {
  'Manage groups': 'moodle/course:managegroups',
  'View user full details': 'moodle/user:viewalldetails',
  'Create users': 'moodle/user:create',
  'Update user profiles': 'moodle/user:update',
  'Delete users': 'moodle/user:delete',
  'Create courses': 'moodle/course:create',
  'Delete courses': 'moodle/course:delete',
  'Manage course categories': 'moodle/category:manage',
  'Review course enrolments': 'moodle/course:enrolreview',
  'Assign roles to users': 'moodle/role:assign',
  'Enrol users': 'enrol/manual:enrol',
  'Unenrol users from the course': 'enrol/manual:unenrol',
};

/**
 * A sentence that says what to change in Moodle (or in the gateway's configuration) for a refusal that
 * depends on the site's setup, or undefined for an ordinary refusal (a duplicate, an unknown id).
 */
export function explainRefusal(
  wsfunction: string,
  errorcode: string | undefined,
  message: string,
  parameter: ParameterProblem | null,
): string | undefined {
  switch (errorcode) {
    case 'invalidtoken':
      return 'Moodle does not know the token: check MOODLE_TOKEN (Site administration › Server › Web services › Manage tokens)';
    case 'accessexception':
      return `the token's external service does not include ${wsfunction}: add it (Site administration › Server › Web services › External services › Functions), or the service is restricted (users, IP, time)`;
    case 'invalidrecord':
      if (/external_functions/.test(message))
        return `this Moodle has no function ${wsfunction} (older or newer release than the gateway expects)`;
      return undefined;
    case 'wsusercannotassign':
      return 'the web-service user may not assign this role: give its role moodle/role:assign and allow it to assign the role (Site administration › Users › Permissions › Define roles › Allow role assignments)';
    case 'nopermissions': {
      const named = /\(([^)]+)\)\.?$/.exec(message)?.[1];
      const capability = named ? CAPABILITIES[named] : undefined;
      return `the web-service user lacks a capability${capability ? ` (${capability})` : named ? ` ("${named}")` : ''}: add it to its role`;
    }
    case 'invalidparameter':
      if (parameter?.expected === 'auth')
        return `the site has no authentication plugin "${parameter.value ?? '?'}" (enabled plugins only; Moodle 5.0 removed CAS from core)`;
      if (parameter?.missingKey) return `the parameter ${parameter.path.join('.')} is missing`;
      if (parameter?.expected)
        return `the parameter ${parameter.path.join('.')}${parameter.value === undefined ? '' : ` ("${parameter.value}")`} is not a valid ${parameter.expected}`;
      return undefined;
    default:
      return undefined;
  }
}
