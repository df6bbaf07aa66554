import { createHmac, randomBytes } from 'node:crypto';

/**
 * What of students' personal data may reach a log line (`LOG_PERSONAL_DATA`):
 * - `pseudonymous` (default): NIPs and INEs become a keyed hash (HMAC-SHA256, truncated), so the lines of
 *   one student can still be followed, and names, e-mails, civility and birth dates are never written;
 * - `none`: all of them are left out;
 * - `full`: everything as given (for a debugging session, not for production).
 */
export const PERSONAL_DATA_POLICIES = ['none', 'pseudonymous', 'full'] as const;
export type PersonalDataPolicy = (typeof PERSONAL_DATA_POLICIES)[number];

/** Keys whose values identify a student: pseudonymised (one value or a list of them). */
const IDENTIFIER_KEYS = new Set(['nip', 'nips', 'ine']);
/** Keys whose values are personal and never logged unless the policy is `full`. */
const PERSONAL_KEYS = new Set(['lastName', 'firstName', 'email', 'birthDate', 'civility']);

export const OMITTED = '[omitted]';

export interface PersonalDataFilter {
  policy: PersonalDataPolicy;
  /**
   * A copy of `value` as the policy allows it in a log line: plain objects and arrays walked by key, and the
   * identifiers found under identifier keys replaced in the line's strings as well.
   */
  apply(value: unknown): unknown;
  /** The pseudonym of one identifier (what `apply` writes for a NIP or an INE). */
  pseudonym(id: string): string;
}

export function personalDataFilter(
  policy: PersonalDataPolicy = 'pseudonymous',
  key?: string,
): PersonalDataFilter {
  // Without a configured key, a random one per process: pseudonyms are stable within one run only.
  const secret = key && key.length > 0 ? key : randomBytes(32);
  const pseudonym = (id: string) =>
    `~${createHmac('sha256', secret).update(id, 'utf8').digest('hex').slice(0, 16)}`;

  function identifier(value: unknown): unknown {
    if (policy === 'none') return Array.isArray(value) ? `${OMITTED} ${value.length}` : OMITTED;
    if (Array.isArray(value)) return value.map(identifier);
    return typeof value === 'string' || typeof value === 'number'
      ? pseudonym(String(value))
      : value;
  }

  function walk(value: unknown, depth: number, ids: Set<string>): unknown {
    if (typeof value === 'string') return ids.size > 0 ? scrub(value, ids) : value;
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error || value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, ids));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null) out[k] = v;
      else if (IDENTIFIER_KEYS.has(k)) out[k] = identifier(v);
      else if (PERSONAL_KEYS.has(k)) out[k] = OMITTED;
      else out[k] = walk(v, depth + 1, ids);
    }
    return out;
  }

  // Identifiers also appear inside messages ("No Moodle account is linked to NIP 12345678."): the ones the
  // same line carries under an identifier key are replaced in its strings too.
  function collect(value: unknown, into: Set<string>, depth: number, underId = false): void {
    if (depth > 8 || value === null || value === undefined) return;
    if (underId && (typeof value === 'string' || typeof value === 'number')) {
      const id = String(value).trim();
      if (id.length >= 4) into.add(id);
    } else if (Array.isArray(value)) {
      for (const v of value) collect(v, into, depth + 1, underId);
    } else if (typeof value === 'object' && !(value instanceof Error)) {
      for (const [k, v] of Object.entries(value))
        collect(v, into, depth + 1, underId || IDENTIFIER_KEYS.has(k));
    }
  }

  function scrub(text: string, ids: Set<string>): string {
    for (const id of ids) text = text.split(id).join(policy === 'none' ? OMITTED : pseudonym(id));
    return text;
  }

  function apply(value: unknown): unknown {
    if (policy === 'full') return value;
    const ids = new Set<string>();
    collect(value, ids, 0);
    return walk(value, 0, ids);
  }

  return { policy, apply, pseudonym };
}
