import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway } from '../test/support/gateway';

/**
 * `npm run bench:fair`: a client's clean throughput (answers without errors) on a 20-student roster, alone
 * and then while four other clients hammer the gateway, each with its own API key: once with the fan-out
 * query of the upstream-cost issue (refused by the budget), once with 200-student rosters (admitted, ~31
 * upstream calls each). 20 ms per upstream call, production pool sizes and share. Bounded: a fixed time per
 * phase, loopback only.
 */

const SECONDS = Number(process.env.FAIR_SECONDS ?? 8);
const keys = ['quiet', 'heavy1', 'heavy2', 'heavy3', 'heavy4'].map((name) => ({
  name,
  key: `${name}-key-0123456789abcdef`,
  scopes: ['read' as const],
}));
const gw = await startTestGateway({
  students: 1000,
  captureLogs: false,
  connections: loadConfig({}).scodoc.connections,
  security: { ...OPEN_SECURITY, auth: { apiKeys: keys, jwt: null, disabled: false } },
});
gw.sims.scodoc!.setFaults({ latencyMs: 20 });
gw.sims.moodle!.setFaults({ latencyMs: 20 });
const roster = readFileSync(
  fileURLToPath(new URL('../schema/operations/DepartmentRoster.graphql', import.meta.url)),
  'utf8',
);
const FAN_OUT =
  '{ semesters { sessionId students { etudid email registrations { state } enrolments { roles } } } }';
const auth = (i: number) => ({ authorization: `Bearer ${keys[i]!.key}` });

/** Runs `work` in a loop until the deadline; counts clean answers and the others. */
async function loop(deadline: number, work: () => Promise<{ errors?: unknown[] }>) {
  let clean = 0;
  let failed = 0;
  while (performance.now() < deadline) {
    const res = await work().catch(() => ({ errors: ['transport'] }));
    if (res.errors?.length) failed += 1;
    else clean += 1;
  }
  return { clean, failed };
}

const quiet = () => gw.query(roster, { acronym: 'GEII', first: 20 }, auth(0));
async function phase(heavy: ((i: number) => Promise<{ errors?: unknown[] }>) | null) {
  const deadline = performance.now() + SECONDS * 1000;
  const others = heavy ? [1, 2, 3, 4].map((i) => loop(deadline, () => heavy(i))) : [];
  const [mine, ...rest] = await Promise.all([loop(deadline, quiet), ...others]);
  return { mine: mine, heavy: rest };
}

const alone = await phase(null);
const fanOut = await phase((i) => gw.query(FAN_OUT, {}, auth(i)));
const rosters = await phase((i) =>
  gw.query(roster, { acronym: ['INFO', 'RT', 'MMI', 'INFO'][i - 1], first: 200 }, auth(i)),
);
const ratio = (p: typeof alone) => ((100 * p.mine.clean) / alone.mine.clean).toFixed(0);
process.stdout.write(
  [
    `| phase (${SECONDS} s each) | quiet client: clean answers | vs alone | the four others |`,
    '|---|---|---|---|',
    `| alone | ${alone.mine.clean} | 100 % | — |`,
    `| four clients sending the fan-out query | ${fanOut.mine.clean} (${fanOut.mine.failed} with errors) | ${ratio(fanOut)} % | ${fanOut.heavy.map((h) => `${h.clean} ok / ${h.failed} refused`).join(', ')} |`,
    `| four clients sending 200-student rosters | ${rosters.mine.clean} (${rosters.mine.failed} with errors) | ${ratio(rosters)} % | ${rosters.heavy.map((h) => `${h.clean} ok / ${h.failed} failed`).join(', ')} |`,
  ].join('\n') + '\n',
);
await gw.close();
