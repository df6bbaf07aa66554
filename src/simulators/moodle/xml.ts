import type { MoodleException } from './functions/shared';

/**
 * Moodle's REST XML, the default when `moodlewsrestformat` is absent. XML lists every declared key of a
 * structure (missing optional ones as `<VALUE null="null"/>`, lists as an empty MULTIPLE) and writes booleans
 * as 0/1. Only the user structure's declaration is modelled; other replies render the keys they have.
 */

const HEADER = '<?xml version="1.0" encoding="UTF-8" ?>\n';

/** The declared keys of core_user's user structure, in Moodle's order (recorded). */
const USER_KEYS: Array<[string, 'value' | 'list']> = [
  ...[
    'id',
    'username',
    'firstname',
    'lastname',
    'fullname',
    'email',
    'address',
    'phone1',
    'phone2',
    'department',
    'institution',
    'idnumber',
    'interests',
    'firstaccess',
    'lastaccess',
    'auth',
    'suspended',
    'confirmed',
    'lang',
    'calendartype',
    'theme',
    'timezone',
    'mailformat',
    'trackforums',
    'description',
    'descriptionformat',
    'city',
    'country',
    'profileimageurlsmall',
    'profileimageurl',
  ].map((k): [string, 'value'] => [k, 'value']),
  ['customfields', 'list'],
  ['preferences', 'list'],
];

export function responseXml(value: unknown, userStructures: boolean): string {
  const body = value === null ? '' : render(value, userStructures);
  return `${HEADER}<RESPONSE>\n${body}</RESPONSE>\n`;
}

export function exceptionXml(err: MoodleException): string {
  const code =
    err.errorcode === undefined ? '' : `<ERRORCODE>${escape(err.errorcode)}</ERRORCODE>\n`;
  const debug =
    err.debuginfo === undefined ? '' : `<DEBUGINFO>${escape(err.debuginfo)}</DEBUGINFO>\n`;
  return `${HEADER}<EXCEPTION class="${escape(err.exception)}">\n${code}<MESSAGE>${escape(err.message)}</MESSAGE>\n${debug}</EXCEPTION>\n`;
}

function render(value: unknown, userStructures: boolean): string {
  if (Array.isArray(value))
    return `<MULTIPLE>\n${value.map((v) => render(v, userStructures)).join('')}</MULTIPLE>\n`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys: Array<[string, 'value' | 'list']> = userStructures
      ? USER_KEYS
      : Object.keys(obj).map((k) => [k, 'value']);
    const inner = keys
      .map(([k, kind]) => {
        const v = obj[k];
        const rendered =
          v === undefined
            ? kind === 'list'
              ? '<MULTIPLE>\n</MULTIPLE>\n'
              : '<VALUE null="null"/>\n'
            : render(v, false);
        return `<KEY name="${k}">${rendered}</KEY>\n`;
      })
      .join('');
    return `<SINGLE>\n${inner}</SINGLE>\n`;
  }
  if (value === null || value === undefined) return '<VALUE null="null"/>\n';
  if (typeof value === 'boolean') return `<VALUE>${value ? 1 : 0}</VALUE>\n`;
  // Numbers and strings are all that is left here (what JSON can hold).
  return `<VALUE>${escape(typeof value === 'string' ? value : JSON.stringify(value))}</VALUE>\n`;
}

function escape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
