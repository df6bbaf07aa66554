import { Trail } from '../src/provisioning/context';
import { runSync } from '../src/sync/run';
import { simulatorClients, writeDeps } from '../test/support/clients';
import { startTestGateway } from '../test/support/gateway';
import { everyoneInOneSemester } from './university';

/**
 * The groups step of the sync (`npm run bench:groups`): a 1,000-student semester with 3 partitions (TD,
 * TP, parcours) and 40 groups, into its Moodle course, at 20 ms per upstream call (Moodle's 4 PHP workers
 * of issue 15; no per-item cost: none was measured for the group functions). The accounts and enrolments
 * are made first, unmeasured; then the groups step's first apply and its no-op re-apply. Figures go to
 * bench/RESULTS.md.
 */
const LATENCY_MS = 20;
const STUDENTS = 1000;
const gw = await startTestGateway({ students: STUDENTS });
const scodoc = gw.sims.scodoc!.store;

const semester = everyoneInOneSemester(gw);
// The bench's own partitions (the demo data has fewer): 12 TD, 24 TP, 4 parcours, round-robin.
for (const p of scodoc.partitionsOf(semester.id)) {
  for (const g of scodoc.groupsOf(p.id)) scodoc.groups.delete(g.id);
  scodoc.partitions.delete(p.id);
}
const registered = scodoc.inscritsOf(semester.id, 'I').map((e) => e.id);
let nextId = Math.max(0, ...scodoc.partitions.keys(), ...scodoc.groups.keys()) + 1000;
for (const [numero, [name, count]] of (
  [
    ['TD', 12],
    ['TP', 24],
    ['Parcours', 4],
  ] as const
).entries()) {
  const partition = { id: nextId++, formsemestre_id: semester.id, partition_name: name, numero };
  scodoc.partitions.set(partition.id, partition);
  for (let i = 0; i < count; i++) {
    const etudids = new Set(registered.filter((_, k) => k % count === i));
    const group = {
      id: nextId++,
      partition_id: partition.id,
      group_name: `${name} ${i + 1}`,
      numero: i,
      etudids,
    };
    scodoc.groups.set(group.id, group);
  }
}

const clients = simulatorClients(gw.sims, { timeoutMs: 60_000, connections: 24 });
const deps = writeDeps(clients);
const input = { semesterId: semester.id, dryRun: false, leavers: 'KEEP' };
await runSync(deps, new Trail(), { ...input, groups: 'SKIP' });

async function run() {
  gw.sims.scodoc!.setFaults({ latencyMs: LATENCY_MS });
  gw.sims.moodle!.setCostModel({ perCallMs: LATENCY_MS, perItemMs: {}, workers: 4 });
  gw.resetCalls();
  const t0 = performance.now();
  const { report } = await runSync(deps, new Trail(), input);
  const total = performance.now() - t0;
  gw.sims.scodoc!.setFaults({ latencyMs: 0 });
  gw.sims.moodle!.setCostModel(null);
  return { total, calls: gw.calls(), report };
}

const line = (name: string, r: Awaited<ReturnType<typeof run>>) => {
  const g = r.report.groups!;
  const group = Object.entries(r.calls).filter(([k]) => k.startsWith('core_group_'));
  return `| ${name} | ${(r.total / 1000).toFixed(2)} s | ${Object.values(r.calls).reduce((a, b) => a + b, 0)} | ${group.reduce((a, [, v]) => a + v, 0)} | ${g.groupingsCreated}/${g.groupsCreated}/${g.membersAdded} | ${group
    .sort()
    .map(([k, v]) => `${k.replace('core_group_', '')} ×${v}`)
    .join(', ')} |`;
};

const first = await run();
const again = await run();
process.stdout.write(
  [
    `Semester ${semester.sessionId}: ${registered.length} registered students, 3 partitions, 40 groups; ${LATENCY_MS} ms per ScoDoc and Moodle call (4 Moodle workers). Whole sync (accounts and enrolments already done), groups: SYNC.`,
    `Failures: first ${first.report.failures.filter((f) => f.step === 'groups').length}, re-apply ${again.report.failures.filter((f) => f.step === 'groups').length} (step groups).`,
    '',
    '| run | wall time | upstream calls | group calls | groupings/groups/members made | group calls in detail |',
    '|---|---|---|---|---|---|',
    line('first apply', first),
    line('re-apply (nothing to do)', again),
    '',
  ].join('\n'),
);
await clients.close();
await gw.close();
