import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { startRedis } from '../test/support/redis';
import { freePort, gatewayEnv, start } from './processes';

/**
 * `npm run bench:replicas`: one gateway process against two (`campusgraph serve --workers N`, node:cluster
 * handing connections out in turn, as a load balancer would), both on the same Redis, on a cached query
 * (response cache on: one replica's answer serves the other) and an uncached one (response and list caches
 * off: every request reaches the simulators, in a process of their own). One process without Redis too, for
 * what Redis costs.
 *
 * Env: SECONDS (10 per run), ROUNDS (2, alternated), CONNECTIONS (10).
 */

const SECONDS = Number(process.env.SECONDS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);

const QUERIES = {
  cached: '{ departments { acronym name } }',
  uncached:
    'query Roster { department(acronym: "INFO") { students(first: 20) { totalCount edges { node { nip lastName firstName } } } } }',
} as const;

interface Setup {
  name: string;
  workers: number;
  redis: boolean;
  query: keyof typeof QUERIES;
}

const SETUPS: Setup[] = [
  { name: '1 process, no Redis', workers: 1, redis: false, query: 'cached' },
  { name: '1 replica, Redis', workers: 1, redis: true, query: 'cached' },
  { name: '2 replicas, Redis', workers: 2, redis: true, query: 'cached' },
  { name: '1 process, no Redis', workers: 1, redis: false, query: 'uncached' },
  { name: '1 replica, Redis', workers: 1, redis: true, query: 'uncached' },
  { name: '2 replicas, Redis', workers: 2, redis: true, query: 'uncached' },
];

const redis = await startRedis();
const [scodocPort, moodlePort] = await Promise.all([freePort(), freePort()]);
const sims = await start(
  ['--import', 'tsx', 'src/simulators/main.ts'],
  { SCODOC_SIM_PORT: String(scodocPort), MOODLE_SIM_PORT: String(moodlePort), LOG_FORMAT: 'json' },
  /simulators ready/,
);

async function startGateways(setup: Setup): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const readyLines = new RegExp(`(Campus Graph ready[\\s\\S]*){${setup.workers}}`);
  const child = await start(
    ['bin/campusgraph.js', 'serve', '--workers', String(setup.workers)],
    {
      ...gatewayEnv({ port, scodoc: scodocPort, moodle: moodlePort }, 'info'),
      LOG_FORMAT: 'json',
      ...(setup.redis ? { REDIS_URL: redis.url } : {}),
      ...(setup.query === 'uncached' ? { RESPONSE_CACHE_TTL_MS: '0', LIST_CACHE_TTL_MS: '0' } : {}),
    },
    readyLines,
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

async function hammer(url: string, query: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      },
    ],
  });
  return {
    rps: result.requests.total / result.duration,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors,
  };
}

const results = SETUPS.map((setup) => ({
  setup,
  rps: [] as number[],
  p99: [] as number[],
  bad: 0,
}));
for (let round = 0; round < ROUNDS; round++) {
  for (const r of round % 2 ? [...results].reverse() : results) {
    const gateways = await startGateways(r.setup);
    await hammer(gateways.url, QUERIES[r.setup.query], 2);
    const run = await hammer(gateways.url, QUERIES[r.setup.query], SECONDS);
    r.rps.push(run.rps);
    r.p99.push(run.p99);
    r.bad += run.bad;
    gateways.child.kill('SIGTERM');
    await new Promise((resolve) => gateways.child.once('exit', resolve));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  JSON.stringify(
    results.map((r) => ({
      query: r.setup.query,
      setup: r.setup.name,
      rps: r.rps.map(Math.round),
      medianRps: Math.round(median(r.rps)),
      p99Ms: r.p99,
      non2xxOrErrors: r.bad,
    })),
    null,
    2,
  ),
);
sims.kill('SIGTERM');
await redis.close();
