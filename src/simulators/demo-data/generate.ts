import { buildDepartments, buildParcours } from './departments';
import { buildGroups } from './groups';
import { buildLateAdditions } from './late-department';
import { buildTeachers, strayAccounts } from './moodle-accounts';
import { buildEnrolments, buildExtraCourses } from './moodle-courses';
import { PeopleFactory } from './people';
import { mulberry32 } from './random';
import { buildSemesters } from './semesters';
import { buildStudents } from './students';
import type { DemoUniversity } from './types';

/**
 * A deterministic IUT: the same (seed, students, today) always gives the same university, so tests and demos
 * agree. `today` defaults to the real date so that demo mode shows current semesters; tests pass a fixed one.
 *
 * Besides the ordinary cases it plants the awkward ones a gateway must handle: a NIP registered in two
 * départements, students without a Moodle account, suspended and soft-deleted accounts, noisy idnumbers,
 * Moodle accounts matching no student, a hidden département without a Moodle category, a course whose
 * idnumber matches no semester, and semesters without a course; and, added later, a département with a
 * mixed-case acronym ("Chimie") and the TD/TP/parcours groups of every formsemestre.
 */
export interface GenerateOptions {
  seed?: number;
  students?: number;
  today?: string;
}

export function generateDemoUniversity(opts: GenerateOptions = {}): DemoUniversity {
  const seed = opts.seed ?? 2026;
  const total = opts.students ?? 1000;
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const rng = mulberry32(seed);
  const year = academicYear(today);

  const { departments, formations } = buildDepartments(year);
  // One generator feeds every step, so the steps must keep this order for a seed to give the same university.
  const semesters = buildSemesters(departments, formations, year, today, rng);
  const people = new PeopleFactory(rng);
  const { students, registrations } = buildStudents(
    total,
    departments,
    semesters,
    year,
    today,
    rng,
    people,
  );
  const teachers = buildTeachers(departments, people);
  const moodleOnlyUsers = [...teachers.map((t) => t.user), ...strayAccounts(people)];
  const extraCourses = buildExtraCourses(year);
  const enrolments = buildEnrolments(students, registrations, semesters, teachers, rng);

  // Added later, each from a stream of its own seeded from the seed, after every draw above: the data above
  // keeps every value it had, and one addition can change without reshuffling the other.
  const lateRng = mulberry32((seed ^ 0x85ebca6b) >>> 0);
  const late = buildLateAdditions({
    year,
    today,
    total,
    rng: lateRng,
    people: people.fork(lateRng),
    existing: { departments, formations, semesters, students },
  });
  departments.push(late.department);
  formations.push(late.formation);
  semesters.push(...late.semesters);
  students.push(...late.students);
  registrations.push(...late.registrations);
  moodleOnlyUsers.push(...late.moodleOnlyUsers);
  enrolments.push(...late.enrolments);
  const parcours = buildParcours(departments);
  const { partitions, groups, groupMembers } = buildGroups(
    semesters,
    registrations,
    parcours,
    mulberry32((seed ^ 0x9e3779b9) >>> 0),
  );

  return {
    seed,
    today,
    departments,
    formations,
    semesters,
    students,
    registrations,
    moodleOnlyUsers,
    extraCourses,
    enrolments,
    parcours,
    partitions,
    groups,
    groupMembers,
  };
}

/** The academic year a date belongs to: 2026 for any date from 2026-09-01 to 2027-08-31. */
export function academicYear(isoDate: string): number {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return m >= 9 ? y : y - 1;
}
