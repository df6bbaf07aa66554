import type { DemoTeacher } from './moodle-accounts';
import type {
  DemoEnrolment,
  DemoExtraCourse,
  DemoRegistration,
  DemoSemester,
  DemoStudent,
} from './types';

/** Moodle courses beyond the semesters' own, and who is enrolled where (students, teachers). */

export function buildExtraCourses(year: number): DemoExtraCourse[] {
  return [
    {
      shortname: 'ANGLAIS-TRANSVERSAL',
      fullname: 'Anglais transversal (tous parcours)',
      idnumber: null,
      deptAcronym: 'INFO',
      visible: true,
    },
    {
      shortname: `ARCHIVE-INFO-S1-${year - 5}`,
      fullname: `Archive BUT Informatique S1 ${year - 5}`,
      idnumber: `INFO-BUT-FI-S1-${year - 5}`,
      deptAcronym: 'INFO',
      visible: false,
    },
    {
      shortname: 'CHARTE-NUMERIQUE',
      fullname: 'Charte du numérique',
      idnumber: 'CHARTE',
      deptAcronym: null,
      visible: true,
    },
  ];
}

export function buildEnrolments(
  students: DemoStudent[],
  registrations: DemoRegistration[],
  semesters: DemoSemester[],
  teachers: DemoTeacher[],
  rng: () => number,
  /** The enrolments in the extra courses (ANGLAIS-TRANSVERSAL): off for the late département. */
  withExtraCourses = true,
): DemoEnrolment[] {
  const byEtudid = new Map(students.map((s) => [s.etudid, s]));
  const withCourse = new Map(semesters.filter((s) => s.hasMoodleCourse).map((s) => [s.id, s]));
  const out: DemoEnrolment[] = [];
  for (const reg of registrations) {
    const student = byEtudid.get(reg.etudid)!;
    if (
      !withCourse.has(reg.formsemestreId) ||
      student.moodle === 'none' ||
      student.moodle === 'soft-deleted'
    )
      continue;
    // Most registrations were mirrored into Moodle; a few were missed (work for a sync). Leavers usually
    // stay enrolled until someone cleans up, which is exactly what the leavers policy is for.
    if (rng() < 0.06) continue;
    out.push({
      etudid: reg.etudid,
      formsemestreId: reg.formsemestreId,
      role: 'student',
      suspended: reg.etat !== 'I' && rng() < 0.3,
    });
  }
  for (const sem of withCourse.values()) {
    const staff = teachers.filter((t) => t.deptId === sem.deptId);
    out.push({
      username: staff[sem.semestreId % staff.length]!.user.username,
      formsemestreId: sem.id,
      role: 'editingteacher',
      suspended: false,
    });
    out.push({
      username: staff[(sem.semestreId + 1) % staff.length]!.user.username,
      formsemestreId: sem.id,
      role: 'teacher',
      suspended: false,
    });
  }
  if (withExtraCourses)
    out.push({
      username: teachers[0]!.user.username,
      courseShortname: 'ANGLAIS-TRANSVERSAL',
      role: 'editingteacher',
      suspended: false,
    });
  return out;
}
