import { buildLateDepartment, LATE_DEPARTMENT } from './departments';
import { buildTeachers } from './moodle-accounts';
import { buildEnrolments } from './moodle-courses';
import type { PeopleFactory } from './people';
import { buildSemesters } from './semesters';
import { buildDeptStudents } from './students';
import type {
  DemoDepartment,
  DemoEnrolment,
  DemoFormation,
  DemoMoodleOnlyUser,
  DemoRegistration,
  DemoSemester,
  DemoStudent,
} from './types';

/**
 * The late "Chimie" département, built like the others (semesters, students and their paths, Moodle teachers
 * and enrolments) but from its own random stream and numbered after everything that exists, so the five
 * first départements keep every value they had.
 */
export function buildLateAdditions(opts: {
  year: number;
  today: string;
  total: number;
  rng: () => number;
  people: PeopleFactory;
  existing: {
    departments: DemoDepartment[];
    formations: DemoFormation[];
    semesters: DemoSemester[];
    students: DemoStudent[];
  };
}): {
  department: DemoDepartment;
  formation: DemoFormation;
  semesters: DemoSemester[];
  students: DemoStudent[];
  registrations: DemoRegistration[];
  moodleOnlyUsers: DemoMoodleOnlyUser[];
  enrolments: DemoEnrolment[];
} {
  const { year, today, rng, people, existing } = opts;
  const { department, formation } = buildLateDepartment(year, existing);
  const semesters = buildSemesters(
    [department],
    [formation],
    year,
    today,
    rng,
    Math.max(0, ...existing.semesters.map((s) => s.id)) + 1,
  );
  const { students, registrations } = buildDeptStudents(
    department,
    Math.max(2, Math.round(LATE_DEPARTMENT.share * opts.total)),
    Math.max(0, ...existing.students.map((s) => s.etudid)) + 1,
    semesters,
    year,
    today,
    rng,
    people,
  );
  const teachers = buildTeachers([department], people);
  const enrolments = buildEnrolments(students, registrations, semesters, teachers, rng, false);
  return {
    department,
    formation,
    semesters,
    students,
    registrations,
    moodleOnlyUsers: teachers.map((t) => t.user),
    enrolments,
  };
}
