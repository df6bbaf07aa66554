/**
 * A simulated university, described once, independently of either upstream. The ScoDoc simulator and the
 * Moodle simulator each build their own store from it, so the two systems agree the way real ones do
 * (and disagree in the ways real ones do: students without accounts, accounts without students, ...).
 */

export type RegistrationState = 'I' | 'D' | 'DEF';

export interface DemoDepartment {
  id: number;
  acronym: string;
  /** ScoDoc's `dept_name`. */
  name: string;
  description: string;
  visible: boolean;
  dateCreation: string; // ISO date-time
  /** Whether the Moodle side has a category for it (idnumber = acronym, or `moodleCategoryIdnumber`). */
  hasMoodleCategory: boolean;
  /**
   * The Moodle category's idnumber when it differs from the acronym: set only for the mixed-case "Chimie",
   * whose category idnumber is upper-cased like its session ids ("CHIMIE").
   */
  moodleCategoryIdnumber?: string;
}

export interface DemoFormation {
  id: number;
  deptId: number;
  acronyme: string; // e.g. "BUT Info"
  titre: string;
  titreOfficiel: string;
  version: number;
  typeParcours: number;
  formationCode: string;
}

export interface DemoSemester {
  id: number; // formsemestre_id
  deptId: number;
  formationId: number;
  semestreId: number; // rank: 1..6
  titre: string; // e.g. "BUT Informatique"
  titreNum: string; // e.g. "BUT Informatique semestre 1"
  modalite: 'FI' | 'FA' | 'FC';
  sessionId: string; // e.g. INFO-BUT-FI-S1-2026
  anneeScolaire: number; // 2026 for 2026-2027
  dateDebut: string; // ISO date YYYY-MM-DD
  dateFin: string;
  etapeApo: string;
  /** ScoDoc "etat": false = locked (verrouillé). */
  etat: boolean;
  responsables: number[];
  /** Whether Moodle has a course with idnumber = sessionId. */
  hasMoodleCourse: boolean;
}

/**
 * One ScoDoc étudiant record. A person who moved département has one record per département with the same
 * NIP/INE (different etudid): they are still ONE person with ONE Moodle account (the first record's `moodle`
 * and `moodleIdnumber` describe it), and enrolments naming either etudid go to that account.
 */
export interface DemoStudent {
  etudid: number;
  deptId: number;
  nip: string | null;
  ine: string | null;
  civilite: 'M' | 'F' | 'X';
  nom: string; // upper case
  nomUsuel: string | null;
  prenom: string;
  email: string; // institutional
  emailPerso: string | null;
  dateNaissance: string; // ISO date
  lieuNaissance: string;
  nationalite: string;
  boursier: boolean;
  /** Moodle account state for this student. */
  moodle: 'none' | 'active' | 'suspended' | 'soft-deleted';
  /**
   * Moodle's copy of the NIP in user.idnumber. Usually equal to `nip`; real exports leave noise
   * (" 12345678 ", "12345678.0"), and a few accounts were made by hand without idnumber (null).
   */
  moodleIdnumber: string | null;
}

export interface DemoRegistration {
  etudid: number;
  formsemestreId: number;
  etat: RegistrationState;
}

export interface DemoMoodleOnlyUser {
  /** Teachers, staff, and accounts that match no ScoDoc student. */
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  idnumber: string | null;
  auth: 'manual' | 'cas' | 'ldap';
  suspended: boolean;
  isSiteAdmin: boolean;
}

export interface DemoEnrolment {
  /** The user is either a student (etudid) or a Moodle-only user (username). */
  etudid?: number;
  username?: string;
  /** The course is identified by the semester it belongs to, or by an extra course's shortname. */
  formsemestreId?: number;
  courseShortname?: string;
  role: 'student' | 'editingteacher' | 'teacher';
  suspended: boolean;
}

/** A Moodle course that corresponds to no formsemestre (its idnumber matches none, or it has none). */
export interface DemoExtraCourse {
  shortname: string;
  fullname: string;
  idnumber: string | null;
  /** Department acronym whose category holds it, or null for the Miscellaneous category. */
  deptAcronym: string | null;
  visible: boolean;
}

/** A BUT parcours of a département's formation (ScoDoc's ApcParcours): open from S3 on. */
export interface DemoParcours {
  id: number;
  deptId: number;
  code: string; // e.g. "A"
  libelle: string; // e.g. "Réalisation d'applications"
}

/** A ScoDoc partition of a formsemestre: one way of splitting its students into groups ("TD", "TP"...). */
export interface DemoPartition {
  id: number; // unique across the university
  formsemestreId: number;
  name: string; // partition_name: "TD", "TP", "Parcours"
  numero: number; // display order within the formsemestre
}

export interface DemoGroup {
  id: number; // unique across the university (its own sequence, disjoint from partition ids)
  partitionId: number;
  name: string; // group_name: "TD A", "TP A1", "Parcours A - Réalisation d'applications"
  numero: number; // display order within the partition
  /** For a group of the "Parcours" partition: the parcours it stands for. */
  parcoursId?: number;
}

/** A student in a group. Every student registered in a formsemestre (any state) is in one group per partition. */
export interface DemoGroupMember {
  groupId: number;
  etudid: number;
}

export interface DemoUniversity {
  /** Seed and "today" the data was generated for; current semesters are the ones containing today. */
  seed: number;
  today: string; // ISO date
  departments: DemoDepartment[];
  formations: DemoFormation[];
  semesters: DemoSemester[];
  students: DemoStudent[];
  registrations: DemoRegistration[];
  moodleOnlyUsers: DemoMoodleOnlyUser[];
  extraCourses: DemoExtraCourse[];
  enrolments: DemoEnrolment[];
  /** Drawn from their own random stream after everything above, which they leave as it was. */
  parcours: DemoParcours[];
  partitions: DemoPartition[];
  groups: DemoGroup[];
  groupMembers: DemoGroupMember[];
}
