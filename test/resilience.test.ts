import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateMoodleAccountDocument,
  DepartmentAcronymsDocument,
  FaultProbeDocument,
  type FaultProbeQuery,
} from '../src/generated/operations';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway';

/**
 * The fault matrix: each upstream × each fault, driven by the simulators' /__sim/faults. The answer keeps
 * what the healthy upstream gives, the affected fields are null with located errors, and once the fault
 * clears the gateway recovers by itself (the breaker half-opens, a trial call succeeds, it closes).
 */
const HALF_OPEN_MS = 300;
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    students: 60,
    timeoutMs: 400,
    listCacheTtlMs: 0,
    resilience: {
      retries: 2,
      retryBaseMs: 10,
      retryMaxMs: 50,
      breakerThreshold: 4,
      breakerHalfOpenAfterMs: HALF_OPEN_MS,
    },
  });
});
afterAll(() => gw.close());
beforeEach(() => {
  gw.reset();
  gw.sims.moodle!.forceException(null);
});

// departments come from ScoDoc; moodleCategoryId and courses from Moodle.
const QUERY = FaultProbeDocument;

async function healthy() {
  // Wait out an open breaker, then expect a complete answer with no error.
  await new Promise((r) => setTimeout(r, HALF_OPEN_MS + 50));
  const res = await gw.query(QUERY);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const data = res.data!;
  expect(data.departments!.length).toBe(5);
  expect(data.departments!.every((d) => typeof d.moodleCategoryId === 'number')).toBe(true);
  expect(data.courses!.totalCount).toBeGreaterThan(0);
}

function expectMoodleLost(res: GraphQLResponse<FaultProbeQuery>, code: string) {
  const data = res.data!;
  expect(data.departments!.map((d) => d.acronym)).toEqual(['INFO', 'GEII', 'RT', 'MMI', 'Chimie']);
  expect(data.departments!.every((d) => d.moodleCategoryId === null)).toBe(true);
  expect(data.courses).toBeNull();
  expect(res.errors!.length).toBeGreaterThan(0);
  for (const e of res.errors!) expect(e.extensions).toMatchObject({ code, upstream: 'moodle' });
  expect(res.errors!.some((e) => JSON.stringify(e.path) === '["courses"]')).toBe(true);
}

function expectScodocLost(res: GraphQLResponse<FaultProbeQuery>, code: string) {
  const data = res.data!;
  expect(data.departments).toBeNull();
  expect(data.courses!.totalCount).toBeGreaterThan(0);
  expect(res.errors).toEqual([
    expect.objectContaining({ path: ['departments'], extensions: { code, upstream: 'scodoc' } }),
  ]);
}

describe('fault matrix', () => {
  const faults = [
    ['down', { down: true }],
    ['slower than the timeout', { latencyMs: 1500 }],
    ['a 5xx burst', { errorRate: 1 }],
    ['malformed JSON', { malformed: true }],
  ] as const;

  for (const [name, fault] of faults) {
    it(`Moodle ${name}: ScoDoc data intact, Moodle fields null and located; recovers when it clears`, async () => {
      gw.sims.moodle!.setFaults(fault);
      expectMoodleLost(await gw.query(QUERY), 'UPSTREAM_UNAVAILABLE');
      gw.reset();
      await healthy();
    });

    it(`ScoDoc ${name}: Moodle data intact, ScoDoc fields null and located; recovers when it clears`, async () => {
      gw.sims.scodoc!.setFaults(fault);
      expectScodocLost(await gw.query(QUERY), 'UPSTREAM_UNAVAILABLE');
      gw.reset();
      await healthy();
    });
  }

  it('ScoDoc token expiring mid-session: re-authenticated transparently, complete answer', async () => {
    await gw.query(QUERY);
    gw.sims.scodoc!.revokeTokens();
    gw.resetCalls();
    const res = await gw.query(QUERY);
    expect(res.errors).toBeUndefined();
    expect(gw.calls()['POST /tokens']).toBe(1);
  });

  it('Moodle exception: an UPSTREAM_ERROR on the Moodle fields, not retried, breaker untouched', async () => {
    gw.sims.moodle!.forceException({
      errorcode: 'servicerequireslogin',
      message: 'Web service is not available',
    });
    const res = await gw.query('{ courses(first: 1) { totalCount } departments { acronym } }');
    expect(res.errors).toEqual([
      expect.objectContaining({
        path: ['courses'],
        extensions: { code: 'UPSTREAM_ERROR', upstream: 'moodle' },
      }),
    ]);
    expect(gw.calls().core_course_get_courses_by_field).toBe(1);
    gw.sims.moodle!.forceException(null);
    const after = await gw.query('{ courses(first: 1) { totalCount } }');
    expect(after.errors).toBeUndefined();
  });

  it('a transient 5xx (every other call) is absorbed by retries: complete answer, retries counted', async () => {
    gw.sims.moodle!.setFaults({ errorRate: 0.5 });
    const res = await gw.query(QUERY);
    expect(res.errors).toBeUndefined();
    expect(await metric('campusgraph_upstream_retries_total{system="moodle"}')).toBeGreaterThan(0);
  });

  it('the breaker opens after repeated outages and fails fast while open, then closes again', async () => {
    gw.sims.moodle!.setFaults({ down: true });
    for (let i = 0; i < 3; i += 1) await gw.query('{ courses(first: 1) { totalCount } }');
    expect(await metric('campusgraph_upstream_breaker_state{system="moodle"}')).toBe(2);
    gw.resetCalls();
    const fast = await gw.query('{ courses(first: 1) { totalCount } }');
    expect(fast.errors![0]!.message).toContain('circuit open');
    expect(gw.calls()).toEqual({}); // failing fast: no call reached Moodle
    const ready = await fetch(`${gw.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ready: false,
      upstreams: { moodle: { ok: false, breaker: 'open' }, scodoc: { ok: true } },
    });
    gw.reset();
    await healthy();
    expect(await metric('campusgraph_upstream_breaker_state{system="moodle"}')).toBe(0);
  });
});

describe('health, readiness, metrics, request ids', () => {
  it('/health never calls an upstream; /ready does and says which is down', async () => {
    gw.sims.scodoc!.setFaults({ down: true });
    gw.resetCalls();
    expect(await (await fetch(`${gw.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(gw.calls()).toEqual({});
    await new Promise((r) => setTimeout(r, 2100)); // past the readiness cache
    const ready = await fetch(`${gw.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ready: false,
      upstreams: { scodoc: { ok: false }, moodle: { ok: true } },
    });
  });

  it('/metrics exposes GraphQL operations and upstream calls', async () => {
    // A known name (an example operation) is its own label; any other name counts as `other`.
    await gw.query('query DepartmentAcronyms { departments { acronym } }');
    await gw.query('query RosterForMetrics { departments { acronym } }');
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(
      /campusgraph_graphql_requests_total\{operation="DepartmentAcronyms",outcome="ok"\} \d+/,
    );
    expect(text).toMatch(/campusgraph_graphql_requests_total\{operation="other",outcome="ok"\} 1/);
    expect(text).not.toContain('RosterForMetrics');
    expect(text).toMatch(
      /campusgraph_graphql_request_duration_seconds_bucket\{le="[^"]+",operation="DepartmentAcronyms"\}/,
    );
    expect(text).toMatch(
      /campusgraph_upstream_calls_total\{system="scodoc",function="GET \/departements",outcome="ok"\} \d+/,
    );
    expect(text).toContain('campusgraph_upstream_call_duration_seconds_bucket');
    expect(text).toContain('campusgraph_upstream_breaker_state{system="scodoc"}');
  });

  it('a request id is returned, and carried on every log line of that request', async () => {
    gw.sims.moodle!.setFaults({ down: true });
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-4242' },
      body: JSON.stringify({ query: '{ courses { totalCount } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-4242');
    await res.text();
    const lines = gw.logLines.filter((l) => l.includes('upstream failure'));
    expect(
      lines.some((l) => (JSON.parse(l) as { requestId?: string }).requestId === 'req-4242'),
    ).toBe(true);
  });
});

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new ones, then closes', async () => {
    const g = await startTestGateway({ students: 20 });
    g.sims.scodoc!.setFaults({ latencyMs: 600 });
    const inFlight = g.query(DepartmentAcronymsDocument);
    await new Promise((r) => setTimeout(r, 150));
    const closing = g.gateway.close({ graceMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${g.url}/health`)).rejects.toThrow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.data?.departments).toHaveLength(5);
    await closing;
    await g.sims.close();
  });

  it('SIGTERM grace: a request longer than the grace is answered 503 SHUTTING_DOWN, not reset', async () => {
    const g = await startTestGateway({ students: 20 });
    g.sims.scodoc!.setFaults({ latencyMs: 1500 });
    const slow = g.query(DepartmentAcronymsDocument);
    const write = g.query(CreateMoodleAccountDocument, {
      nip: g.sims.university.students[0]!.nip!,
    });
    await new Promise((r) => setTimeout(r, 150));
    const closing = g.gateway.close({ graceMs: 300 });
    const [read, mutation] = await Promise.all([slow, write]);
    for (const res of [read, mutation]) {
      expect(res.status).toBe(503);
      expect(res.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
    }
    expect(mutation.errors?.[0]?.message).toMatch(/may have been applied in part/);
    await closing;
    const cut = g.logLines
      .filter((l) => l.includes('shutdown grace over'))
      .map((l) => JSON.parse(l) as { mutation: boolean; operation: string });
    expect(cut).toHaveLength(2);
    expect(cut).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mutation: false, operation: 'DepartmentAcronyms' }),
        expect.objectContaining({ mutation: true, operation: 'CreateMoodleAccount' }),
      ]),
    );
    // The handler's late answer after the cut is not an error.
    await new Promise((r) => setTimeout(r, 1600));
    expect(g.logLines.filter((l) => l.includes('request failed before GraphQL'))).toEqual([]);
    await g.sims.close();
  });
});

async function metric(series: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}
