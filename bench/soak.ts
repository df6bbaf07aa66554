import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway } from '../test/support/gateway';

/**
 * `npm run soak`: SOAK_SECONDS (default 180) of mixed example queries at steady concurrency, with 2 % of
 * upstream requests failing on both simulators. Reports requests, statuses, GraphQL errors, upstream faults
 * absorbed, unhandled rejections and heap samples; exits 1 on a crash, a 5xx or an unhandled rejection.
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
let unhandled = 0;
process.on('unhandledRejection', () => (unhandled += 1));

// The per-client rate limit would throttle the soak itself (one client, hundreds of requests a second).
const gw = await startTestGateway({
  students: 1000,
  listCacheTtlMs: 5000,
  captureLogs: false,
  security: { ...OPEN_SECURITY, rateLimitPerMinute: 1_000_000 },
});
gw.sims.scodoc!.setFaults({ errorRate: 0.02 });
gw.sims.moodle!.setFaults({ errorRate: 0.02 });
const dir = fileURLToPath(new URL('../schema/operations/', import.meta.url));
const ops = readdirSync(dir)
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => readFileSync(dir + f, 'utf8'));
const u = gw.sims.university;
const course = [...gw.sims.moodle!.store.courses.values()].find(
  (c) => c.idnumber === 'INFO-BUT-FI-S1-2026',
)!;
const pickStudent = () => u.students[Math.floor(Math.random() * u.students.length)]!;
const variables = () => ({
  acronym: ['INFO', 'GEII', 'RT', 'MMI'][Math.floor(Math.random() * 4)],
  first: 20,
  nip: pickStudent().nip,
  id:
    Math.random() < 0.5
      ? course.id
      : u.semesters[Math.floor(Math.random() * u.semesters.length)]!.id,
  department: 'INFO',
  current: true,
});

const statuses = new Map<number, number>();
let requests = 0;
let withErrors = 0;
const heap: number[] = [];
const deadline = Date.now() + SECONDS * 1000;
// Heap after a full collection when run with --expose-gc (npm run soak does), so samples compare like with like.
const gcNow = (globalThis as { gc?: () => void }).gc;
const sampler = setInterval(() => {
  gcNow?.();
  heap.push(Math.round(process.memoryUsage().heapUsed / 1e6));
}, 5000);

async function worker() {
  while (Date.now() < deadline) {
    const query = ops[Math.floor(Math.random() * ops.length)]!;
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: variables() }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { errors?: unknown[] };
    requests += 1;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (body.errors) withErrors += 1;
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
clearInterval(sampler);
const metrics = await (await fetch(`${gw.url}/metrics`)).text();
const retries = metrics
  .split('\n')
  .filter((l) => l.startsWith('campusgraph_upstream_retries_total'))
  .map((l) => l.replace('campusgraph_upstream_retries_total', 'retries'));
await gw.close();

const first = heap.slice(0, 3);
const last = heap.slice(-3);
const report = {
  seconds: Math.round((Date.now() - started) / 1000),
  concurrency: CONCURRENCY,
  requests,
  perSecond: Math.round(requests / ((Date.now() - started) / 1000)),
  statuses: Object.fromEntries(statuses),
  answersWithLocatedErrors: withErrors,
  retries,
  unhandledRejections: unhandled,
  heapMB: { first, last, max: Math.max(...heap), samples: heap },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit([...statuses.keys()].some((s) => s >= 500) || unhandled > 0 ? 1 : 0);
