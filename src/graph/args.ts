import { GraphQLError } from 'graphql';
import { normalizeNip } from '../domain/linking';

/**
 * Query arguments are checked before any upstream call, as mutation inputs are by zod: a value that could
 * not name anything (a dot segment, a lone surrogate, a non-integer or negative id, a 5 KB search) is a
 * BAD_USER_INPUT error and nothing is sent to ScoDoc or Moodle.
 */

/** Longest `search` accepted. */
const MAX_SEARCH_LENGTH = 100;

const IDENTIFIER = /^[A-Za-z0-9]{1,20}$/;
const ACRONYM = /^[A-Za-z0-9_-]{1,20}$/;

function bad(argument: string, message: string): GraphQLError {
  return new GraphQLError(`Invalid argument ${argument}: ${message}.`, {
    extensions: { code: 'BAD_USER_INPUT', argument },
  });
}

/** A NIP as a caller may type it (surrounding spaces, a trailing ".0"), normalised: 1 to 20 letters or digits. */
export function nipArg(value: string, argument = 'nip'): string {
  const nip = normalizeNip(value);
  if (!nip || !IDENTIFIER.test(nip)) throw bad(argument, 'a NIP is 1 to 20 letters or digits');
  return nip;
}

/** An INE: 1 to 20 letters or digits (surrounding spaces ignored). */
export function ineArg(value: string, argument = 'ine'): string {
  const ine = value.trim();
  if (!IDENTIFIER.test(ine)) throw bad(argument, 'an INE is 1 to 20 letters or digits');
  return ine;
}

/** A département acronym: letters, digits, _ and -, at most 20. */
export function acronymArg(value: string, argument = 'department'): string {
  if (!ACRONYM.test(value)) throw bad(argument, 'an acronym is 1 to 20 letters, digits, _ or -');
  return value;
}

/** A free-text search: well-formed Unicode, at most MAX_SEARCH_LENGTH characters. */
export function searchArg(value: string, argument = 'search'): string {
  if (!value.isWellFormed()) throw bad(argument, 'must be well-formed Unicode (no lone surrogate)');
  if (value.length > MAX_SEARCH_LENGTH)
    throw bad(argument, `at most ${MAX_SEARCH_LENGTH} characters`);
  return value;
}

/** A ScoDoc or Moodle id: a positive safe integer. */
export function idArg(value: number, argument = 'id'): number {
  if (!Number.isSafeInteger(value) || value < 1) throw bad(argument, 'a positive integer');
  return value;
}

/**
 * The numeric part of a Relay global id. `Number` would accept "NaN", "Infinity", "-1", "1.5", "0x10" or
 * " 12 "; only plain decimal digits of a positive safe integer name a record.
 */
export function parseNumericId(raw: string): number {
  const n = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw bad('id', 'not the global id of an object');
  return n;
}

/** The acronym part of a Département global id. */
export function parseAcronymId(raw: string): string {
  if (!ACRONYM.test(raw)) throw bad('id', 'not the global id of an object');
  return raw;
}
