import { print, type DocumentNode } from 'graphql';
import {
  CourseDetailDocument,
  CoursesDocument,
  DepartmentRosterDocument,
  DepartmentsDocument,
  NodeDocument,
  SemestersDocument,
  SemesterWithCourseDocument,
  StudentByNipDocument,
} from '../generated/operations';

/**
 * The example operations (schema/operations, compiled by codegen so a bundle reads no file at run time) and
 * the variables they run with: one list for GraphiQL's tabs, the tests and the bench.
 */

/** The demo data some examples need an id from: only its ScoDoc and Moodle ids, read from the simulators. */
interface ExampleIds {
  nip: string | null;
  etudid: number;
  semesterId: number;
  courseId: number;
}

/** The parts of a demo university (the simulators' `RunningSimulators`) the ids are read from. */
interface DemoData {
  university: {
    students: ReadonlyArray<{
      nip: string | null;
      etudid: number;
      moodle: string;
      moodleIdnumber: string | null;
    }>;
    semesters: ReadonlyArray<{ id: number; sessionId: string }>;
  };
  moodle?: { store: { courses: ReadonlyMap<number, { id: number; idnumber: string }> } };
}

interface Example {
  name: string;
  document: DocumentNode;
  /** Without ids (GraphiQL, where no demo university is at hand), blanks for the user to fill in. */
  variables(ids?: ExampleIds): Record<string, unknown>;
  /** Where to find the id the variables need, for GraphiQL's blank. */
  idHint?: string;
}

const SESSION = 'INFO-BUT-FI-S1-2026';

/**
 * In GraphiQL's tab order: the roster first (read-only, runnable as is, the screen a secretary opens first),
 * then the others that run as they are, then those that need an id from the data. No mutation: a tab a
 * visitor runs to see what happens must not change anything.
 */
const EXAMPLES: Example[] = [
  {
    name: 'DepartmentRoster',
    document: DepartmentRosterDocument,
    variables: () => ({ acronym: 'INFO', first: 20 }),
  },
  { name: 'Departments', document: DepartmentsDocument, variables: () => ({}) },
  {
    name: 'Courses',
    document: CoursesDocument,
    variables: () => ({ department: 'INFO', first: 20 }),
  },
  {
    name: 'Semesters',
    document: SemestersDocument,
    variables: () => ({ department: 'INFO', current: true }),
  },
  {
    name: 'StudentByNip',
    document: StudentByNipDocument,
    variables: (ids) => ({ nip: ids ? ids.nip : '' }),
    idHint: '"nip": a NIP from the DepartmentRoster answer',
  },
  {
    name: 'SemesterWithCourse',
    document: SemesterWithCourseDocument,
    variables: (ids) => ({ id: ids?.semesterId ?? 0 }),
    idHint: '"id": a formsemestreId from the Semesters answer',
  },
  {
    name: 'CourseDetail',
    document: CourseDetailDocument,
    variables: (ids) => ({ id: ids?.courseId ?? 0, first: 20 }),
    idHint: '"id": a moodleId from the Courses answer',
  },
  {
    name: 'Node',
    document: NodeDocument,
    variables: (ids) => ({
      id: ids ? Buffer.from(`Student:${ids.etudid}`).toString('base64') : '',
    }),
    idHint: '"id": an id from the Departments answer (any object\'s global id)',
  },
];

/** The variables each example operation is run with, by the bench and the tests alike. */
export function exampleVariables(data: DemoData): Record<string, Record<string, unknown>> {
  const course = [...(data.moodle?.store.courses.values() ?? [])].find(
    (c) => c.idnumber === SESSION,
  )!;
  const someone = data.university.students.find(
    (s) => s.moodle === 'active' && s.moodleIdnumber === s.nip,
  )!;
  const ids: ExampleIds = {
    nip: someone.nip,
    etudid: someone.etudid,
    semesterId: data.university.semesters.find((s) => s.sessionId === SESSION)!.id,
    courseId: course.id,
  };
  return {
    ...Object.fromEntries(EXAMPLES.map((e) => [e.name, e.variables(ids)])),
    Roster200: { acronym: 'INFO', first: 200 },
  };
}

/**
 * GraphiQL's tabs (`defaultTabs`). The gateway has no demo university at hand (and must not read the data to
 * show a page), so the examples that need an id get a blank one and a first comment line saying where to
 * find it; the roster and the others run as they are.
 */
export function graphiqlTabs(): Array<{ query: string; variables: string }> {
  return EXAMPLES.map((e) => ({
    query: `${e.idHint ? `# Set ${e.idHint}.\n` : ''}${print(e.document)}\n`,
    variables: JSON.stringify(e.variables(), null, 2),
  }));
}
