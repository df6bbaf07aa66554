import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestGateway } from '../test/support/gateway';

/**
 * Upstream calls per example operation (schema/operations), counted by the simulators, beside what a naive
 * resolver would make: one upstream call for every upstream-backed field in the answer (no batching, no
 * priming, no de-duplication). Deterministic: run `npm run bench:calls`, paste the table in the README.
 */

/** Fields that cost one upstream call each when every resolver fetches for itself. */
const UPSTREAM_FIELDS = new Set([
  'departments',
  'department',
  'moodleCategoryId',
  'students',
  'student',
  'moodleAccount',
  'enrolments',
  'course',
  'courses',
  'roles',
  'registrations',
  'state',
  'semester',
  'semesters',
  'node',
]);

function naiveCalls(value: unknown, key = ''): number {
  let n = UPSTREAM_FIELDS.has(key) && value !== undefined ? 1 : 0;
  if (Array.isArray(value))
    return n + value.reduce((s: number, v) => s + naiveCalls(v), 0) - (n ? 0 : 0);
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) n += naiveCalls(v, k);
  return n;
}

const gw = await startTestGateway({ students: 1000 });
const u = gw.sims.university;
const course = [...gw.sims.moodle!.store.courses.values()].find(
  (c) => c.idnumber === 'INFO-BUT-FI-S1-2026',
)!;
const someone = u.students.find((s) => s.moodle === 'active' && s.moodleIdnumber === s.nip)!;
const variables: Record<string, Record<string, unknown>> = {
  DepartmentRoster: { acronym: 'INFO', first: 20 },
  Departments: {},
  StudentByNip: { nip: someone.nip },
  SemesterWithCourse: { id: u.semesters.find((s) => s.sessionId === 'INFO-BUT-FI-S1-2026')!.id },
  CourseDetail: { id: course.id, first: 20 },
  Courses: { department: 'INFO', first: 20 },
  Semesters: { department: 'INFO', current: true },
  Node: { id: Buffer.from(`Student:${someone.etudid}`).toString('base64') },
};

const dir = fileURLToPath(new URL('../schema/operations/', import.meta.url));
const rows: string[] = [
  '| operation | upstream calls (ScoDoc + Moodle) | naive one-call-per-field | detail |',
  '|---|---|---|---|',
];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.graphql'))
  .sort()) {
  const name = file.replace('.graphql', '');
  gw.resetCalls();
  const res = await gw.query(readFileSync(dir + file, 'utf8'), variables[name] ?? {});
  if (res.errors) throw new Error(`${name}: ${JSON.stringify(res.errors)}`);
  const calls = gw.calls();
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const detail = Object.entries(calls)
    .sort()
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  rows.push(`| ${name} | ${total} | ${naiveCalls(res.data)} | ${detail} |`);
}
process.stdout.write(`${rows.join('\n')}\n`);
await gw.close();
