import { startTestGateway } from '../test/support/gateway';

/**
 * Wall time and upstream calls to sync a ~500-student semester into its course, against the simulators with
 * 20 ms of latency on every upstream call (`npm run bench`). Figures go to bench/RESULTS.md.
 */
const LATENCY_MS = 20;
const gw = await startTestGateway({ students: 5000 });
const u = gw.sims.university;
const counts = new Map<number, number>();
for (const r of u.registrations)
  counts.set(r.formsemestreId, (counts.get(r.formsemestreId) ?? 0) + 1);
const courses = new Set([...gw.sims.moodle!.store.courses.values()].map((c) => c.idnumber));
const [semesterId, size] = [...counts]
  .filter(([id]) => courses.has(u.semesters.find((s) => s.id === id)!.sessionId))
  .sort((a, b) => b[1] - a[1])[0]!;
const semester = u.semesters.find((s) => s.id === semesterId)!;

const MUTATION = `mutation($input: SyncSemesterInput!) { syncSemester(input: $input) { __typename ... on SyncSemesterSuccess { report { accountsToCreate accountsCreated enrolmentsToAdd enrolmentsAdded enrolmentsToRemove enrolmentsRemoved failures { nip } } } ... on Error { message } } }`;
async function run(dryRun: boolean) {
  await gw.query('{ departments { acronym } }'); // warm token and pools: measure the sync, not the login
  gw.sims.scodoc!.setFaults({ latencyMs: LATENCY_MS });
  gw.sims.moodle!.setFaults({ latencyMs: LATENCY_MS });
  gw.resetCalls();
  const started = performance.now();
  const res = await gw.query(MUTATION, { input: { semesterId, dryRun, leavers: 'SUSPEND' } });
  const ms = performance.now() - started;
  gw.sims.scodoc!.setFaults({ latencyMs: 0 });
  gw.sims.moodle!.setFaults({ latencyMs: 0 });
  const calls = gw.calls();
  return {
    ms: Math.round(ms),
    calls: Object.values(calls).reduce((a, b) => a + b, 0),
    detail: calls,
    result: res.data,
  };
}

const plan = await run(true);
const apply = await run(false);
const again = await run(false);
const line = (name: string, r: Awaited<ReturnType<typeof run>>) =>
  `| ${name} | ${r.ms} ms | ${r.calls} | ${Object.entries(r.detail)
    .sort()
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ')} |`;
process.stdout.write(
  [
    `Semester ${semester.sessionId}: ${size} registered students (I, D, DEF), ${u.students.length} students in the university, ${LATENCY_MS} ms latency per upstream call.`,
    `Report of the apply: ${JSON.stringify((apply.result as { syncSemester: { report: unknown } }).syncSemester.report)}`,
    '',
    '| run | wall time | upstream calls | detail |',
    '|---|---|---|---|',
    line('dry run (plan)', plan),
    line('apply', apply),
    line('second apply (nothing to do)', again),
    '',
  ].join('\n'),
);
await gw.close();
