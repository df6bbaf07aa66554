/**
 * The graph's own view of upstream records, in English. Loaders map client replies into these, so
 * resolvers never see a French field name or an upstream quirk (dd/mm/yyyy dates, 0/1 flags, noisy NIPs).
 */

export type RegistrationState = 'REGISTERED' | 'DROPPED_OUT' | 'DEFAULTED';

export const STATE_FROM_SCODOC: Record<string, RegistrationState> = {
  I: 'REGISTERED',
  D: 'DROPPED_OUT',
  DEF: 'DEFAULTED',
};
export const SCODOC_FROM_STATE: Record<RegistrationState, 'I' | 'D' | 'DEF'> = {
  REGISTERED: 'I',
  DROPPED_OUT: 'D',
  DEFAULTED: 'DEF',
};

export interface DepartmentModel {
  kind: 'Department';
  id: number;
  acronym: string;
  name: string | null;
  description: string | null;
  visible: boolean;
}

export interface StudentModel {
  kind: 'Student';
  etudid: number;
  deptId: number | null;
  deptAcronym: string | null;
  /** As ScoDoc holds it; linking normalizes it. */
  nip: string | null;
  ine: string | null;
  civility: string | null;
  lastName: string;
  firstName: string | null;
  email: string | null;
  /** Only when a "long" route supplied it. */
  birthDate: string | null;
  /** False for ScoDoc's short form (lists), which has no e-mail nor birth date: fetch the details for those. */
  detailed: boolean;
}

export interface SemesterModel {
  kind: 'Semester';
  id: number;
  deptId: number | null;
  deptAcronym: string | null;
  title: string;
  sessionId: string | null;
  rank: number | null;
  modality: string | null;
  academicYear: number | null;
  /** ISO dates (YYYY-MM-DD). */
  startDate: string | null;
  endDate: string | null;
  locked: boolean;
  /** The programme's short title ("BUT MMI") and acronym, when ScoDoc gives them. */
  programme: { acronym: string | null; title: string | null } | null;
  /** BUT tracks (parcours) offered; empty for other programmes and the first BUT semesters. */
  tracks: TrackModel[];
}

export interface CourseModel {
  kind: 'Course';
  id: number;
  shortName: string;
  fullName: string;
  idnumber: string | null;
  categoryId: number | null;
  visible: boolean | null;
  /** ISO dates, null when Moodle has none (0). */
  startDate: string | null;
  endDate: string | null;
}

export interface CategoryModel {
  id: number;
  name: string;
  idnumber: string | null;
  parent: number;
  courseCount: number | null;
}

export interface MoodleAccountModel {
  id: number;
  username: string;
  idnumber: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  auth: string | null;
  suspended: boolean | null;
}

export interface EnrolmentModel {
  courseId: number;
  /** Present when the reply that produced the enrolment carried the course (saves a look-up). */
  course?: CourseModel;
  account: MoodleAccountModel;
  /** Role shortnames; null when the source reply did not include roles (resolved lazily). */
  roles: string[] | null;
}

export interface RegistrationModel {
  semester: SemesterModel;
  state: RegistrationState;
  /** The student's groups in that semester (from the roster row). */
  groups: GroupModel[];
}

/** A group of a Moodle course (core_group_*): the sync's when its idnumber follows the group link rule. */
export interface MoodleGroupModel {
  kind: 'MoodleGroup';
  id: number;
  courseId: number;
  name: string;
  /** "" or null when none; `scodoc:<group_id>` (by default) for the groups the sync made. */
  idnumber: string | null;
}

/** A group of students in a semester (ScoDoc groupe), in a partition (TD, TP, parcours...). */
export interface GroupModel {
  kind: 'Group';
  id: number;
  name: string;
  /** The partition's name ("TD", "TP", "Parcours"); null for ScoDoc's default partition. */
  partition: string | null;
  partitionId: number | null;
  semesterId: number;
}

/** A BUT track (ScoDoc parcours) a semester offers. */
export interface TrackModel {
  code: string | null;
  name: string | null;
}

/** Moodle timestamps are Unix seconds, 0 meaning "none". */
export function isoDateFromUnix(seconds: number | null | undefined): string | null {
  if (!seconds) return null;
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** ScoDoc gives dates as ISO in `*_iso` fields and as dd/mm/yyyy in the others. */
export function isoDateFromScodoc(
  iso: string | null | undefined,
  french: string | null | undefined,
): string | null {
  if (iso) return iso.slice(0, 10);
  const m = french ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(french) : null;
  return m ? `${m[3]}-${m[2]}-${m[1]}` : null;
}
