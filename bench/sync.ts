import { Trail } from '../src/provisioning/context';
import { MOODLE_5_0_6_MEASURED } from '../src/simulators/moodle/cost-model';
import { applySync, type SyncReport } from '../src/sync/apply';
import { planSync } from '../src/sync/plan';
import { forgetAccounts, simulatorClients, writeDeps } from '../test/support/clients';
import { startTestGateway } from '../test/support/gateway';
import { everyoneInOneSemester } from './university';

/**
 * A 5,000-student semester synced into its course (`npm run bench`) against a Moodle simulator that costs
 * what the Moodle 5.0.6 site of issue 15 measured (cost-model.ts: 20 ms per call, 16 ms per account, 9 ms per
 * enrolment, 4 PHP workers) and a ScoDoc with 20 ms per call, through clients with the production pool (24
 * connections, so a share of 18). Wall time per phase and calls per function, first apply and no-op
 * re-apply. Figures go to bench/RESULTS.md.
 */
const SCODOC_LATENCY_MS = 20;
const STUDENTS = 5000;
const gw = await startTestGateway({ students: STUDENTS });
const u = gw.sims.university;
const scodocStore = gw.sims.scodoc!.store;

// The semester whose course exists, with every student of the university registered in it and none of
// them with a Moodle account yet: the first apply creates them all.
const semester = everyoneInOneSemester(gw);
forgetAccounts(gw.sims, new Set(u.students.map((s) => s.nip)));

// The production pool (24 connections), and a timeout no chunk under the cost model comes near.
const connections = 24;
const clients = simulatorClients(gw.sims, { timeoutMs: 60_000, connections });
const { scodoc } = clients;
// BENCH_CONCURRENCY=1 measures chunks one at a time, as before issue 15.
const deps = writeDeps(clients, { syncConcurrency: Number(process.env.BENCH_CONCURRENCY ?? 4) });

async function run() {
  await scodoc.formsemestre(semester.id); // the ScoDoc login: measure the sync, not the token
  gw.sims.scodoc!.setFaults({ latencyMs: SCODOC_LATENCY_MS });
  gw.sims.moodle!.setCostModel(MOODLE_5_0_6_MEASURED);
  gw.resetCalls();
  const marks: Record<string, number> = {};
  const t0 = performance.now();
  const plan = await planSync(deps, { semesterId: semester.id, leavers: 'SUSPEND' });
  marks.plan = performance.now() - t0;
  const report = await applySync(deps, new Trail(), plan, (step) => {
    marks[step] = performance.now() - t0;
  });
  const total = performance.now() - t0;
  gw.sims.scodoc!.setFaults({ latencyMs: 0 });
  gw.sims.moodle!.setCostModel(null);
  const accounts = marks.createAccount ?? marks.plan;
  return {
    total,
    phases: { plan: marks.plan, accounts: accounts - marks.plan, enrolments: total - accounts },
    calls: gw.calls(),
    report,
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const summary = (r: SyncReport) =>
  `created ${r.accountsCreated}/${r.accountsToCreate}, enrolled ${r.enrolmentsAdded}/${r.enrolmentsToAdd}, removed ${r.enrolmentsRemoved}/${r.enrolmentsToRemove}, ${r.failures.length} failure line(s) (${r.failures.filter((f) => f.step === 'plan').length} from the plan), ${r.unknown.length} unknown`;
const line = (name: string, r: Awaited<ReturnType<typeof run>>) =>
  `| ${name} | ${s(r.total)} | ${s(r.phases.plan)} | ${s(r.phases.accounts)} | ${s(r.phases.enrolments)} | ${Object.values(r.calls).reduce((a, b) => a + b, 0)} | ${Object.entries(
    r.calls,
  )
    .sort()
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ')} |`;

const first = await run();
const again = await run();
const registered = scodocStore.inscritsOf(semester.id, 'I').length;
process.stdout.write(
  [
    `Semester ${semester.sessionId}: ${registered} registered students; Moodle cost model of issue 15 (${MOODLE_5_0_6_MEASURED.perCallMs} ms/call, create ${MOODLE_5_0_6_MEASURED.perItemMs.core_user_create_users} ms/user, enrol ${MOODLE_5_0_6_MEASURED.perItemMs.enrol_manual_enrol_users} ms/enrolment, ${MOODLE_5_0_6_MEASURED.workers} workers), ScoDoc ${SCODOC_LATENCY_MS} ms/call; ${connections} connections per upstream, ${deps.syncConcurrency} chunk(s) at once.`,
    `First apply: ${summary(first.report)}.`,
    `Re-apply: ${summary(again.report)}.`,
    ...first.report.failures
      .filter((f) => f.step !== 'plan')
      .map((f) => `  first apply, ${f.step} ${f.nip}: ${f.message}`),
    '',
    '| run | wall time | plan | accounts | enrolments (+ leavers) | upstream calls | detail |',
    '|---|---|---|---|---|---|---|',
    line('first apply', first),
    line('re-apply (nothing to do)', again),
    '',
  ].join('\n'),
);
await clients.close();
await gw.close();
