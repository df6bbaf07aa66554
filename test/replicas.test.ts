import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulators } from '../src/simulators/start';
import { sharedSimulators, startEnv, startGateway, upstreamEnvOf } from './support/process';
import { startRedis, type TestRedis } from './support/redis';

/**
 * Two gateway processes (`node dist/main.js`) with the same REDIS_URL, in front of the same simulators (run
 * here, in the test process, so their call counters see both replicas): what one replica counts, caches or
 * reads, the other sees. Upstream calls are counted, never time.
 */
type Replica = Awaited<ReturnType<typeof startGateway>>;

const KEYS = {
  reader: 'reader-key-0123456789',
  limited: 'limited-key-0123456789',
  writer: 'writer-key-0123456789',
  after: 'after-key-0123456789',
};
const LIMIT = 10;

let redis: TestRedis;
let sims: RunningSimulators;
let a: Replica;
let b: Replica;

async function gql(replica: Replica, query: string, key = KEYS.reader, variables?: unknown) {
  const res = await fetch(`${replica.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: unknown[] } };
}

async function ready(replica: Replica) {
  const res = await fetch(`${replica.url}/ready`);
  return {
    status: res.status,
    body: (await res.json()) as {
      ready: boolean;
      degraded?: string;
      sharedState?: { ok: boolean };
    },
  };
}

/** Polls /ready until `done` holds (the connection notices within a reconnect backoff, 2 s at most). */
async function readyUntil(
  replica: Replica,
  done: (r: Awaited<ReturnType<typeof ready>>) => boolean,
) {
  let last = await ready(replica);
  for (let i = 0; i < 200 && !done(last); i += 1) {
    await sleep(25);
    last = await ready(replica);
  }
  return last;
}

/** Upstream calls since the last reset, both simulators. */
function calls(): Record<string, number> {
  return { ...sims.scodoc!.stats(), ...sims.moodle!.stats() };
}
const total = () => Object.values(calls()).reduce((n, c) => n + c, 0);
function resetCalls() {
  sims.scodoc!.resetStats();
  sims.moodle!.resetStats();
}

/** Hits of the response cache on one replica, from its /metrics. */
async function responseCacheHits(replica: Replica): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  const m = /campusgraph_response_cache_total\{outcome="hit"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  [redis, sims] = await Promise.all([startRedis(), sharedSimulators(20, '2026-11-23')]);
  const env = startEnv({
    ...upstreamEnvOf(sims),
    API_KEYS: JSON.stringify([
      { name: 'reader', key: KEYS.reader, scopes: ['read'] },
      { name: 'limited', key: KEYS.limited, scopes: ['read'] },
      { name: 'writer', key: KEYS.writer, scopes: ['read', 'write:departments'] },
      { name: 'after', key: KEYS.after, scopes: ['read'] },
    ]),
    REDIS_URL: redis.url,
    RATE_LIMIT_PER_MINUTE: String(LIMIT),
    RESPONSE_CACHE_TTL_MS: '60000',
    LIST_CACHE_TTL_MS: '60000',
  });
  [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
}, 40_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([sims?.close(), redis?.close()]);
});

describe('two replicas sharing one Redis', () => {
  it('say so at start', () => {
    for (const replica of [a, b]) expect(replica.output()).toContain('state shared through Redis');
  });

  it('one rate limit: the request over it is 429 whichever replica gets it', async () => {
    const statuses = [];
    for (let i = 0; i < LIMIT; i += 1)
      statuses.push((await gql(i % 2 ? b : a, '{ __typename }', KEYS.limited)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(200));
    expect((await gql(a, '{ __typename }', KEYS.limited)).status).toBe(429);
    expect((await gql(b, '{ __typename }', KEYS.limited)).status).toBe(429);
    // Another client has its own window.
    expect((await gql(b, '{ __typename }', KEYS.reader)).status).toBe(200);
  });

  it('an answer cached by one replica is served by the other with no upstream call', async () => {
    const etudid = sims.university.students[0]!.etudid;
    const query = `{ student(etudid: ${etudid}) { nip lastName } }`;
    resetCalls();
    const first = await gql(a, query);
    expect(first.body.errors).toBeUndefined();
    expect(total()).toBeGreaterThan(0);
    resetCalls();
    const hitsBefore = await responseCacheHits(b);
    expect(await gql(b, query)).toEqual(first);
    expect(calls()).toEqual({});
    expect(await responseCacheHits(b)).toBe(hitsBefore + 1);
  });

  it('one list cache: a list read through one replica is not refetched by the other; a write through either invalidates it for both', async () => {
    resetCalls();
    await gql(a, '{ departments { acronym } }');
    expect(calls()['GET /departements']).toBe(1);
    resetCalls();
    // Another document (no response cache hit): the list comes from the shared list cache.
    const names = await gql(b, '{ departments { acronym name } }');
    expect(names.body.errors).toBeUndefined();
    expect(calls()).toEqual({});

    const created = await gql(
      b,
      'mutation ($input: CreateDepartmentInput!) { createDepartment(input: $input) { __typename } }',
      KEYS.writer,
      { input: { acronym: 'QLIO', name: 'Qualité, logistique' } },
    );
    expect(created.body).toEqual({
      data: { createDepartment: { __typename: 'CreateDepartmentSuccess' } },
    });
    resetCalls();
    const after = await gql(a, '{ departments { acronym } }');
    expect(calls()['GET /departements']).toBe(1);
    expect(JSON.stringify(after.body)).toContain('QLIO');
  });

  it('the same read on both replicas at the same moment makes one upstream call', async () => {
    const etudid = sims.university.students[1]!.etudid;
    const query = `{ student(etudid: ${etudid}) { nip } }`;
    // Slow answers, so that the two requests overlap at the replicas.
    sims.scodoc!.setFaults({ latencyMs: 300 });
    try {
      resetCalls();
      const [fromA, fromB] = await Promise.all([gql(a, query), gql(b, query)]);
      expect(fromA.body.errors).toBeUndefined();
      expect(fromB).toEqual(fromA);
      const reads = Object.entries(calls()).filter(([route]) => route.startsWith('GET /etudiant'));
      expect(reads.map(([, n]) => n)).toEqual([1]);
    } finally {
      sims.scodoc!.clearFaults();
    }
  });

  it('Redis stopped: both still answer and /ready says degraded; back: shared again', async () => {
    await redis.stop();
    for (const replica of [a, b]) {
      const state = await readyUntil(replica, (r) => r.body.degraded !== undefined);
      expect(state.status).toBe(200);
      expect(state.body).toMatchObject({ ready: true, sharedState: { ok: false } });
      expect(state.body.degraded).toMatch(/Redis unreachable/);
      const answer = await gql(replica, '{ departments { acronym } }');
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body.data)).toContain('INFO');
    }

    await redis.start();
    for (const replica of [a, b]) {
      const state = await readyUntil(replica, (r) => r.body.sharedState?.ok === true);
      expect(state.body.degraded).toBeUndefined();
      // One warning for the outage and one line for the return, not one per failed command.
      expect(replica.output().split('Redis unreachable').length - 1).toBe(1);
      expect(replica.output()).toContain('Redis back');
    }
    // Redis restarted empty: shared again from now on, the response cache and the rate limit alike.
    const query = `{ student(etudid: ${sims.university.students[2]!.etudid}) { nip } }`;
    await gql(a, query);
    resetCalls();
    expect((await gql(b, query)).status).toBe(200);
    expect(calls()).toEqual({});
    for (let i = 0; i < LIMIT; i += 1) await gql(i % 2 ? a : b, '{ __typename }', KEYS.after);
    expect((await gql(a, '{ __typename }', KEYS.after)).status).toBe(429);
  }, 30_000);
});
