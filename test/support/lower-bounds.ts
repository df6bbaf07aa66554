import type { RunningSimulators } from '../../src/simulators/start';

// The examples' variables live beside the examples, for GraphiQL's tabs too.
export { exampleVariables } from '../../src/graph/examples';

/**
 * The fewest upstream calls each example operation can make for its answer, from cold caches, given what
 * ScoDoc and Moodle offer (which routes batch, which do not), and its critical path: the upstream round trips
 * that must follow one another. Shared by `npm run bench:calls` (which prints them beside what the gateway
 * does) and the tests (which require the gateway to make exactly that many calls).
 */
export interface LowerBound {
  /** How the bound is derived, for people. */
  derivation: string;
  /** Sequential round trips at the least. */
  levels: number;
  calls(data: unknown, sims: RunningSimulators): number;
}

interface RosterData {
  department: {
    acronym: string;
    students: { edges: Array<{ node: { moodleAccount: { id: number } | null } }> };
  };
}
interface StudentData {
  student: { registrations: unknown[]; enrolments: unknown[] | null };
}
interface EnrolmentsData {
  edges: Array<{ node: { student: unknown } }>;
}
interface CoursesData {
  courses: { edges: Array<{ node: { idnumber: string | null } }> };
}
interface SemestersData {
  semesters: Array<{ course: unknown }>;
}

const coursesInCategoryOf = (sims: RunningSimulators, acronym: string) => {
  const store = sims.moodle!.store;
  const category = [...store.categories.values()].find(
    (c) => c.idnumber.toUpperCase() === acronym.toUpperCase(),
  );
  return category ? [...store.courses.values()].filter((c) => c.categoryid === category.id) : [];
};

const roster: LowerBound = {
  derivation:
    "départements, categories, the département's étudiants (ScoDoc pages nothing: one list), the page's accounts (one users-by-idnumber call), then enrolments: one users'-courses call per linked account, or, for a page of 40 or more with over twice as many students as the category has courses, the category's course list, one enrolled-users list per course and one users'-courses call per account found in none of them (which of the two is cheaper is only known after both have answered, so the choice is made on the page and category sizes)",
  levels: 3,
  calls: (data, sims) => {
    const d = (data as RosterData).department;
    const accounts = d.students.edges.flatMap((e) =>
      e.node.moodleAccount ? [e.node.moodleAccount.id] : [],
    );
    const courses = coursesInCategoryOf(sims, d.acronym).map((c) => c.id);
    // By course, an account found in none of the category's courses is still asked for by itself.
    const elsewhere = accounts.filter(
      (id) =>
        !sims.moodle!.store.enrolments.some((e) => e.userid === id && courses.includes(e.courseid)),
    ).length;
    // Which way is cheaper is known only after both answered (how many accounts have no enrolment in
    // the category): the choice is made on what is known before, the page and the category's size.
    const page = d.students.edges.length;
    const byCourse = page >= 40 && page > 2 * (courses.length + 1);
    return 4 + (byCourse ? 1 + courses.length + elsewhere : accounts.length);
  },
};

const unlinkedIn = (enrolments: EnrolmentsData) =>
  enrolments.edges.filter((e) => !e.node.student).length;

export const LOWER_BOUNDS: Record<string, LowerBound> = {
  Departments: {
    derivation: 'the départements list and the categories list',
    levels: 1,
    calls: () => 2,
  },
  Node: { derivation: 'the étudiant by etudid', levels: 1, calls: () => 1 },
  DepartmentRoster: roster,
  Roster200: roster,
  StudentByNip: {
    derivation:
      "départements, the étudiant by NIP and its account by idnumber (both from the argument), its formsemestres, three state-filtered rosters per formsemestre (ScoDoc's lists omit the state), its courses, one enrolled-users list per course for the roles",
    levels: 3,
    calls: (data) => {
      const s = (data as StudentData).student;
      return 5 + 3 * s.registrations.length + (s.enrolments?.length ?? 0);
    },
  },
  SemesterWithCourse: {
    derivation:
      'the formsemestre, départements, its roster (shared by its students and its enrolments), its course by idnumber, the enrolment page and the id-only count, and one NIP look-up per enrolled account the roster does not hold (teachers)',
    levels: 3,
    calls: (data) => {
      const s = (data as { semester: { course: { enrolments: EnrolmentsData } } }).semester;
      return 6 + unlinkedIn(s.course.enrolments);
    },
  },
  CourseDetail: {
    derivation:
      "the course, categories and départements (its département), the formsemestres of its session's département and year (its semester), the enrolment page and the count, the semester's roster, one NIP look-up per enrolled account the roster does not hold",
    levels: 4,
    calls: (data) =>
      7 + unlinkedIn((data as { course: { enrolments: EnrolmentsData } }).course.enrolments),
  },
  Courses: {
    derivation:
      "categories, the category's courses, départements, and one formsemestres query per (département, year) the page's course idnumbers name",
    levels: 3,
    calls: (data) => {
      const keys = new Set(
        (data as CoursesData).courses.edges
          .map((e) => /^([A-Za-z0-9_]+)-.+-(\d{4})$/.exec(e.node.idnumber ?? ''))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => `${m[1]!.toUpperCase()}:${m[2]}`),
      );
      return 3 + keys.size;
    },
  },
  Semesters: {
    derivation:
      'départements (the acronym as ScoDoc spells it), the formsemestres query, one course-by-idnumber call per semester (Moodle takes one idnumber per call)',
    levels: 3,
    calls: (data) => 2 + (data as SemestersData).semesters.length,
  },
};
