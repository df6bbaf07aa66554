import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config';
import { startTestGateway } from '../test/support/gateway';
import { exampleVariables } from '../src/graph/examples';
import { LOWER_BOUNDS } from '../test/support/lower-bounds';

/**
 * Per example operation (schema/operations), plus a 200-student roster and the fan-out query of the
 * upstream-cost issue: the upstream calls the gateway makes from cold caches (list cache off, counted by the
 * simulators), the lower bound for that query shape (test/support/lower-bounds.ts says how each is derived),
 * what a naive resolver would make (one call per upstream-backed field in the answer), the median wall time
 * with 20 ms per upstream call, and the critical path (its sequential round trips × 20 ms).
 * Calls are deterministic; times are from a shared, noisy machine.
 */

const LATENCY_MS = 20;
const RUNS = 9;

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
  if (Array.isArray(value)) return n + value.reduce((s: number, v) => s + naiveCalls(v), 0);
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) n += naiveCalls(v, k);
  return n;
}

const FAN_OUT =
  '{ semesters { sessionId students { etudid email registrations { state } enrolments { roles } } } }';

// The production pool size (src/config.ts), and no list cache: every request starts cold.
const cold = await startTestGateway({
  students: 1000,
  listCacheTtlMs: 0,
  captureLogs: false,
  connections: loadConfig({}).scodoc.connections,
});
const variables: Record<string, Record<string, unknown>> = {
  ...exampleVariables(cold.sims),
  FanOut: {},
};

const dir = fileURLToPath(new URL('../schema/operations/', import.meta.url));
const documents: Array<[string, string]> = readdirSync(dir)
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .map((f) => [f.replace('.graphql', ''), readFileSync(dir + f, 'utf8')]);
documents.push(['Roster200', readFileSync(`${dir}DepartmentRoster.graphql`, 'utf8')]);
documents.push(['FanOut', FAN_OUT]);

// The same with the list cache on, as deployed (TTL 60 s): whole lists (départements, categories, a
// département's étudiants, a category's courses, course enrolment lists) are then read once a minute.
const warm = await startTestGateway({
  students: 1000,
  captureLogs: false,
  connections: loadConfig({}).scodoc.connections,
});

// Warm the ScoDoc token first: its POST /tokens belongs to no operation.
await cold.query('{ departments { acronym } }');
await warm.query('{ departments { acronym } }');

async function medianMs(gw: typeof cold, doc: string, vars: Record<string, unknown>) {
  gw.sims.scodoc!.setFaults({ latencyMs: LATENCY_MS });
  gw.sims.moodle!.setFaults({ latencyMs: LATENCY_MS });
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await gw.query(doc, vars);
    times.push(performance.now() - started);
  }
  gw.reset();
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

const rows: string[] = [
  '| operation | upstream calls | lower bound | naive | errors | median wall (cold) | median wall (lists cached) | critical path | detail |',
  '|---|---|---|---|---|---|---|---|---|',
];
const derivations: string[] = [];
for (const [name, doc] of documents) {
  cold.reset();
  const res = await cold.query(doc, variables[name] ?? {});
  const calls = cold.calls();
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const detail = Object.entries(calls)
    .sort()
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  const bound = LOWER_BOUNDS[name];
  const lower = bound && res.data ? bound.calls(res.data, cold.sims) : null;
  const errors = res.errors?.length ?? 0;
  const codes = [...new Set((res.errors ?? []).map((e) => String(e.extensions?.code)))].join(' ');
  // Wall time: the same request again with every upstream call 20 ms slower, cold and with lists cached.
  const median = await medianMs(cold, doc, variables[name] ?? {});
  await warm.query(doc, variables[name] ?? {});
  const warmMedian = await medianMs(warm, doc, variables[name] ?? {});
  rows.push(
    `| ${name} | ${total} | ${lower ?? '—'} | ${res.data ? naiveCalls(res.data) : '—'} | ${errors ? `${errors} (${codes})` : 0} | ${median.toFixed(0)} ms | ${warmMedian.toFixed(0)} ms | ${bound ? `${bound.levels} × ${LATENCY_MS} = ${bound.levels * LATENCY_MS} ms` : '—'} | ${detail} |`,
  );
  if (bound) derivations.push(`- **${name}**: ${bound.derivation}.`);
}
process.stdout.write(`${rows.join('\n')}\n\nLower bounds:\n${derivations.join('\n')}\n`);
await Promise.all([cold.close(), warm.close()]);
