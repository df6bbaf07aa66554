import { z } from 'zod';
import type { GroupLinkRule } from './group-linking';

/**
 * Which Moodle record belongs to which ScoDoc record. The rules live here and nowhere else; each one is
 * chosen by configuration, because universities provision Moodle in different ways.
 *
 *   student    ↔ user      LINK_STUDENT_BY     idnumber (user.idnumber = NIP, default) | email | username (= NIP)
 *   department ↔ category  LINK_DEPARTMENT_BY  idnumber (category.idnumber = acronym, default) | name
 *   semester   ↔ course    LINK_SEMESTER_BY    idnumber (course.idnumber = session_id, default) | shortname
 *   group      ↔ group     LINK_GROUP_PREFIX   group.idnumber = <prefix><group_id> (default scodoc:), see group-linking.ts
 */

export const linkingSchema = z.object({
  LINK_STUDENT_BY: z.enum(['idnumber', 'email', 'username']).default('idnumber'),
  LINK_DEPARTMENT_BY: z.enum(['idnumber', 'name']).default('idnumber'),
  LINK_SEMESTER_BY: z.enum(['idnumber', 'shortname']).default('idnumber'),
});

export interface LinkingRules {
  student: 'idnumber' | 'email' | 'username';
  department: 'idnumber' | 'name';
  semester: 'idnumber' | 'shortname';
  /** The group link rule (LINK_GROUP_PREFIX); absent = DEFAULT_GROUP_LINK. */
  groups?: GroupLinkRule;
}

export const DEFAULT_LINKING: LinkingRules = {
  student: 'idnumber',
  department: 'idnumber',
  semester: 'idnumber',
};

export function linkingFromEnv(env: NodeJS.ProcessEnv): LinkingRules {
  const parsed = linkingSchema.parse(env);
  return {
    student: parsed.LINK_STUDENT_BY,
    department: parsed.LINK_DEPARTMENT_BY,
    semester: parsed.LINK_SEMESTER_BY,
  };
}

/**
 * A NIP as written by people and spreadsheets: surrounding spaces and a trailing ".0" (a number column
 * exported as a float) are noise, not part of the code. Returns null for nothing usable.
 */
export function normalizeNip(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const trimmed = raw.trim().replace(/^(\d+)\.0+$/, '$1');
  return trimmed === '' ? null : trimmed;
}

/** The Moodle user field to search, and the value a student must have there. */
export function studentUserKey(
  rules: LinkingRules,
  student: { code_nip?: string | null; email?: string | null },
): { field: 'idnumber' | 'email' | 'username'; value: string } | null {
  switch (rules.student) {
    case 'idnumber': {
      const nip = normalizeNip(student.code_nip);
      return nip ? { field: 'idnumber', value: nip } : null;
    }
    case 'username': {
      const nip = normalizeNip(student.code_nip);
      return nip ? { field: 'username', value: nip.toLowerCase() } : null;
    }
    case 'email':
      return student.email ? { field: 'email', value: student.email.trim() } : null;
  }
}

/** The NIP a Moodle user claims under the student rule, or null when the account links to no NIP. */
export function nipOfUser(
  rules: LinkingRules,
  user: { idnumber?: string | null; username?: string },
): string | null {
  if (rules.student === 'idnumber') return normalizeNip(user.idnumber);
  if (rules.student === 'username') return normalizeNip(user.username);
  return null; // The email rule links through the address, not a NIP.
}

/**
 * Moodle keeps soft-deleted users and still returns them from core_user_get_users_by_field, scrambled:
 * `deleted` is not in the reply, the username becomes `<email>.<timestamp>` and the email a 32-hex md5.
 * Such a record is never an account.
 */
export function isSoftDeletedUser(user: {
  username: string;
  email?: string | null;
  deleted?: number | boolean;
}): boolean {
  if (user.deleted === true || user.deleted === 1) return true;
  const md5Email = typeof user.email === 'string' && /^[0-9a-f]{32}$/.test(user.email);
  const scrambledName = /@.+\.\d{9,}$/.test(user.username);
  return md5Email && scrambledName;
}

/** Several ScoDoc étudiants can share a NIP (one per département they passed through). */
export function pickStudentRecord<T extends { id: number; dept_id?: number | null }>(
  records: T[],
  preferDeptId?: number,
): T | null {
  if (records.length === 0) return null;
  if (preferDeptId !== undefined) {
    const inDept = records.filter((r) => r.dept_id === preferDeptId);
    if (inDept.length > 0) return latest(inDept);
  }
  return latest(records);
}

// The most recently created record wins: ScoDoc creates a new étudiant (higher etudid) when someone moves
// département, so the latest record is the one of the current département. Deterministic, and costs no call.
function latest<T extends { id: number }>(records: T[]): T {
  return records.reduce((a, b) => (b.id > a.id ? b : a));
}

export function categoryMatchesDepartment(
  rules: LinkingRules,
  category: { idnumber?: string | null; name: string },
  acronym: string,
): boolean {
  const value = rules.department === 'idnumber' ? category.idnumber : category.name;
  return (value ?? '').trim().toUpperCase() === acronym.toUpperCase();
}

export function courseKeyForSemester(
  rules: LinkingRules,
  sessionId: string,
): { field: 'idnumber' | 'shortname'; value: string } {
  return { field: rules.semester, value: sessionId };
}

export function semesterKeyOfCourse(
  rules: LinkingRules,
  course: { idnumber?: string | null; shortname: string },
): string | null {
  const value = rules.semester === 'idnumber' ? course.idnumber : course.shortname;
  return value && value.trim() !== '' ? value.trim() : null;
}

/**
 * ScoDoc session ids look like `INFO-BUT-FI-S1-2026` (département, parcours, modalité, semestre, year). The
 * département and the year are what formsemestres/query can filter on, which is how a course is linked back
 * to its formsemestre without scanning every département.
 */
export function parseSessionId(sessionId: string): { dept: string; year: number } | null {
  const m = /^([A-Za-z0-9_]+)-.+-(\d{4})$/.exec(sessionId.trim());
  return m ? { dept: m[1]!.toUpperCase(), year: Number(m[2]) } : null;
}

/**
 * The exact idnumbers to ask Moodle for, for one NIP: Moodle matches exactly, and real idnumbers carry
 * spreadsheet noise (a float export, stray spaces). Every look-up of an account by NIP asks for these.
 */
export function nipVariants(nip: string): string[] {
  return [nip, `${nip}.0`, ` ${nip} `, ` ${nip}`, `${nip} `];
}

/** Moodle does not keep idnumber unique: prefer an active account, then the oldest. */
export function chooseAccount<T extends { id: number; suspended?: boolean | null }>(
  candidates: readonly T[],
): T | null {
  const sorted = [...candidates].sort(
    (a, b) => Number(!!a.suspended) - Number(!!b.suspended) || a.id - b.id,
  );
  return sorted[0] ?? null;
}

/**
 * Live Moodle users grouped by the NIP their idnumber carries (normalised): soft-deleted records and users
 * without a NIP are left out. The caller decides what several accounts for one NIP mean.
 */
export function usersByNip<
  T extends { username: string; email?: string | null; idnumber?: string | null },
>(users: readonly T[]): Map<string, T[]> {
  const byNip = new Map<string, T[]>();
  for (const user of users) {
    if (isSoftDeletedUser(user)) continue;
    const nip = normalizeNip(user.idnumber);
    if (nip) byNip.set(nip, [...(byNip.get(nip) ?? []), user]);
  }
  return byNip;
}

/** The Moodle category of a département, among all categories, by the department rule. */
export function categoryOfDepartment<C extends { idnumber?: string | null; name: string }>(
  rules: LinkingRules,
  categories: readonly C[],
  acronym: string,
): C | null {
  return categories.find((c) => categoryMatchesDepartment(rules, c, acronym)) ?? null;
}

/** The département a category stands for, among all départements, by the department rule. */
export function departmentOfCategory<D extends { acronym: string }>(
  rules: LinkingRules,
  category: { idnumber?: string | null; name: string },
  departments: readonly D[],
): D | null {
  return departments.find((d) => categoryMatchesDepartment(rules, category, d.acronym)) ?? null;
}

/**
 * The course of a semester, among the courses that carry its session id under the semester rule: Moodle
 * does not keep idnumbers unique, so the oldest (lowest id) wins, deterministically.
 */
export function courseOfSemester<C extends { id: number }>(candidates: readonly C[]): C | null {
  return [...candidates].sort((a, b) => a.id - b.id)[0] ?? null;
}
