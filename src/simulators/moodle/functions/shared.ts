import type { Desc } from '../params';
import type { MoodleStore, UserRow } from '../store';

/**
 * What the function families share: the WsFunction contract, Moodle's exception shapes, the user fields every
 * user structure starts with, and the lookups and batch rules more than one family relies on.
 */

export class MoodleException extends Error {
  constructor(
    readonly exception: string,
    readonly errorcode: string | undefined,
    message: string,
    readonly debuginfo?: string,
  ) {
    super(message);
  }
}

export const moodleException = (errorcode: string, message: string, debuginfo?: string) =>
  new MoodleException('core\\exception\\moodle_exception', errorcode, message, debuginfo);
export const invalidParameter = (debuginfo: string) =>
  new MoodleException(
    'core\\exception\\invalid_parameter_exception',
    'invalidparameter',
    'Invalid parameter value detected',
    debuginfo,
  );
export const missingRecord = (errorcode: string, message: string, debuginfo: string) =>
  new MoodleException('dml_missing_record_exception', errorcode, message, debuginfo);

export interface WsFunction {
  params: Desc;
  // Parameters arrive checked against `params` (Moodle's own description): each function reads them by
  // name, as Moodle's PHP does, so they are not typed twice here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run(p: any, store: MoodleStore): unknown;
  /** For XML: keys a user structure always lists (nulls included). */
  xmlUserKeys?: boolean;
}

/** The leading fields every Moodle user structure shares, in Moodle's order. */
export function userIdentity(u: UserRow): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    firstname: u.firstname,
    lastname: u.lastname,
    fullname: `${u.firstname} ${u.lastname}`,
    email: u.email,
    department: u.department,
  };
}

export function requireLiveUser(
  store: MoodleStore,
  id: number,
  withDeletedClause: boolean,
): UserRow {
  const u = store.users.get(id);
  if (!u || u.deleted) {
    const sql = withDeletedClause
      ? 'SELECT * FROM {user} WHERE id = ? AND deleted = ?'
      : 'SELECT * FROM {user} WHERE id = ?';
    const args = withDeletedClause ? `  0 => ${id},\n  1 => 0,\n` : `  0 => ${id},\n`;
    throw missingRecord('invaliduser', 'Invalid user', `${sql}\n[array (\n${args})]`);
  }
  return u;
}

/**
 * Runs a batch as one transaction: on failure nothing stays. The ids it took are not given back (the store's
 * sequences only move forward), as in Moodle, so a rolled-back batch leaves gaps.
 */
export function transaction<T>(run: () => T, undo: () => void): T {
  try {
    return run();
  } catch (e) {
    undo();
    throw e;
  }
}

/** A course goes with its enrolments (core_course_delete_courses, and recursive category deletion). */
export function deleteCourse(store: MoodleStore, id: number) {
  store.courses.delete(id);
  store.enrolments = store.enrolments.filter((e) => e.courseid !== id);
}
