import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSecondsOf, freePort, gatewayEnv, memoryOf, start } from './processes';

/**
 * `npm run bench:runtime`: the production artifact (`node dist/main.js`, NODE_ENV=production, upstreams in a
 * process of their own) against a raw Yoga server over the same schema with nothing else (bench/raw-yoga.ts),
 * side by side on `{ __typename }`, rounds alternated so machine noise hits both; then the gateway alone under
 * sustained mixed load (the example queries), its peak RSS read from the kernel (VmHWM).
 *
 * Two ways of comparing, because requests per second swing by a factor of two between rounds on a shared VM:
 * alternated rounds (each server alone, SECONDS each), and side by side (all servers at once, AMOUNT requests
 * each, so whatever else the machine runs slows them alike). Each reports the server's CPU per request from
 * /proc too. A second gateway with its response cache off shows what the layers cost when nothing is cached.
 *
 * Env: ROUNDS (3), SECONDS (8 per round), AMOUNT (8000 per server per side-by-side round), LOAD_SECONDS (40),
 * CONNECTIONS (10), GATEWAY_NODE_FLAGS (those of `npm start`).
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 8);
const AMOUNT = Number(process.env.AMOUNT ?? 8000);
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 40);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);

/** One round against a server: requests per second, and the server's CPU microseconds per request. */
async function round(url: string, pid: number, bodies: string[], seconds: number) {
  const cpuBefore = cpuSecondsOf(pid);
  const result = await hammer(url, bodies, seconds);
  const cpu = cpuSecondsOf(pid) - cpuBefore;
  return { rps: result.rps, cpuUsPerRequest: (cpu * 1e6) / (result.rps * seconds) };
}

/** All servers at once, the same number of requests each: one sample of rps and CPU per request for each. */
async function sideBySide(servers: Array<{ url: string; pid: number }>, body: string) {
  const before = servers.map((s) => cpuSecondsOf(s.pid));
  const results = await Promise.all(
    servers.map((s) =>
      autocannon({
        url: `${s.url}/graphql`,
        connections: Math.max(1, Math.floor(CONNECTIONS / 2)),
        amount: AMOUNT,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, body }],
      }),
    ),
  );
  // Over the whole run: autocannon's per-second average is too coarse for runs of a few seconds.
  return servers.map((s, i) => ({
    rps: results[i]!.requests.total / results[i]!.duration,
    cpuUsPerRequest: ((cpuSecondsOf(s.pid) - before[i]!) * 1e6) / results[i]!.requests.total,
  }));
}

async function hammer(
  url: string,
  bodies: string[],
  seconds: number,
): Promise<{ rps: number; p99: number; non2xx: number; errors: number }> {
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: bodies.map((body) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })),
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** The node flags of `npm start`, read from package.json so the bench measures what production runs. */
function startFlags(): string {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  return /^node (.*?)\s*dist\/main\.js/.exec(pkg.scripts.start ?? '')?.[1] ?? '';
}

type Sample = { rps: number; cpuUsPerRequest: number };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const [scodocPort, moodlePort, gatewayPort, uncachedPort, rawPort] = await Promise.all([
  freePort(),
  freePort(),
  freePort(),
  freePort(),
  freePort(),
]);
const sims = await start(
  ['--import', 'tsx', 'src/simulators/main.ts'],
  {
    SCODOC_SIM_PORT: String(scodocPort),
    MOODLE_SIM_PORT: String(moodlePort),
    LOG_FORMAT: 'json',
  },
  /simulators ready/,
);
// The same flags as `npm start` (package.json), unless GATEWAY_NODE_FLAGS says otherwise.
const gatewayFlags = (process.env.GATEWAY_NODE_FLAGS ?? startFlags()).split(' ').filter(Boolean);
const gatewayEnvOn = (port: number) => gatewayEnv({ port, scodoc: scodocPort, moodle: moodlePort });
const gateway = await start(
  [...gatewayFlags, 'dist/main.js'],
  gatewayEnvOn(gatewayPort),
  /AUTH_DISABLED=true/,
);
const uncached = await start(
  [...gatewayFlags, 'dist/main.js'],
  { ...gatewayEnvOn(uncachedPort), RESPONSE_CACHE_TTL_MS: '0' },
  /AUTH_DISABLED=true/,
);
// The "ready" line is info, below LOG_LEVEL=warn: poll /health instead.
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
const uncachedUrl = `http://127.0.0.1:${uncachedPort}`;
for (const url of [gatewayUrl, uncachedUrl]) {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const raw = await start(
  ['--import', 'tsx', 'bench/raw-yoga.ts'],
  { PORT: String(rawPort), NODE_ENV: 'production' },
  /raw yoga ready/,
);
const rawUrl = `http://127.0.0.1:${rawPort}`;

const typename = [JSON.stringify({ query: '{ __typename }' })];
const idle = memoryOf(gateway.pid!);
// Warm both (JIT, caches) before measuring.
await hammer(gatewayUrl, typename, 2);
await hammer(rawUrl, typename, 2);
await hammer(uncachedUrl, typename, 2);
const sides = { gateway: [] as Sample[], uncached: [] as Sample[], raw: [] as Sample[] };
for (let i = 0; i < ROUNDS; i++) {
  const [g, u, r] = await sideBySide(
    [
      { url: gatewayUrl, pid: gateway.pid! },
      { url: uncachedUrl, pid: uncached.pid! },
      { url: rawUrl, pid: raw.pid! },
    ],
    typename[0]!,
  );
  sides.gateway.push(g!);
  sides.uncached.push(u!);
  sides.raw.push(r!);
}
const ours: Sample[] = [];
const theirs: Sample[] = [];
for (let i = 0; i < ROUNDS; i++) {
  ours.push(await round(gatewayUrl, gateway.pid!, typename, SECONDS));
  theirs.push(await round(rawUrl, raw.pid!, typename, SECONDS));
}

// Sustained mixed load: what screens ask, through both simulated upstreams.
const mixed = [
  '{ departments { acronym name } }',
  'query Roster { department(acronym: "INFO") { acronym students(first: 20) { totalCount edges { node { nip lastName firstName } } } } }',
  '{ semesters(department: "INFO") { id title } }',
  '{ courses(first: 20) { totalCount edges { node { id shortName } } } }',
].map((query) => JSON.stringify({ query }));
let peakDuringLoad = 0;
const sampler = setInterval(() => {
  peakDuringLoad = Math.max(peakDuringLoad, memoryOf(gateway.pid!).rssMb);
}, 250);
const load = await hammer(gatewayUrl, mixed, LOAD_SECONDS);
clearInterval(sampler);
const after = memoryOf(gateway.pid!);

const ratio = median(ours.map((r) => r.rps)) / median(theirs.map((r) => r.rps));
// Throughput at saturation is the inverse of CPU per request: the same ratio, measured without the noise of
// whatever else the machine runs.
const cpuRatio =
  median(theirs.map((r) => r.cpuUsPerRequest)) / median(ours.map((r) => r.cpuUsPerRequest));
const summary = (samples: Sample[], baseline: Sample[]) => ({
  rps: samples.map((r) => Math.round(r.rps)),
  cpuUsPerRequest: samples.map((r) => Math.round(r.cpuUsPerRequest)),
  rpsRatio: Number(
    (median(samples.map((r) => r.rps)) / median(baseline.map((r) => r.rps))).toFixed(3),
  ),
  cpuRatio: Number(
    (
      median(baseline.map((r) => r.cpuUsPerRequest)) / median(samples.map((r) => r.cpuUsPerRequest))
    ).toFixed(3),
  ),
});
const report = {
  gatewayFlags: gatewayFlags.join(' '),
  typenameSideBySide: {
    requestsPerServerPerRound: AMOUNT,
    rawYoga: summary(sides.raw, sides.raw),
    gateway: summary(sides.gateway, sides.raw),
    gatewayResponseCacheOff: summary(sides.uncached, sides.raw),
  },
  typenameAlternated: {
    gatewayRps: ours.map((r) => Math.round(r.rps)),
    rawYogaRps: theirs.map((r) => Math.round(r.rps)),
    medianRatio: Number(ratio.toFixed(3)),
    gatewayCpuUsPerRequest: ours.map((r) => Math.round(r.cpuUsPerRequest)),
    rawYogaCpuUsPerRequest: theirs.map((r) => Math.round(r.cpuUsPerRequest)),
    cpuRatio: Number(cpuRatio.toFixed(3)),
  },
  mixedLoad: {
    seconds: LOAD_SECONDS,
    connections: CONNECTIONS,
    requests: Math.round(load.rps * LOAD_SECONDS),
    rps: Math.round(load.rps),
    p99Ms: load.p99,
    non2xx: load.non2xx,
    errors: load.errors,
  },
  gatewayMemoryMb: {
    idle: Math.round(idle.rssMb),
    peakRss: Math.round(Math.max(after.peakMb, peakDuringLoad)),
    afterLoad: Math.round(after.rssMb),
  },
};
console.log(JSON.stringify(report, null, 2));
for (const child of [raw, gateway, uncached, sims]) child.kill('SIGTERM');
