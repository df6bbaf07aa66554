import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MOODLE_SIM_TOKEN, startSimulators, type RunningSimulators } from '../src/simulators/start';
import { UpstreamError } from '../src/upstreams/errors';
import { createMoodleClient, type MoodleClient } from '../src/upstreams/moodle/client';
import type { MoodleConfig } from '../src/upstreams/moodle/config';
import { patiently, type ResilienceOptions } from '../src/upstreams/resilience';
import { startTestGateway } from './support/gateway';

/**
 * Timeouts as outages (retried for reads, held against the breaker, a write never retried blindly), the
 * longer timeout of Moodle's whole-course reads, and calls that wait for the half-open trial. Calls are
 * counted as they reach the simulator (its `request` event), not when it answers after its latency: once
 * a call has failed, every attempt it made has been sent. Outcomes and counts are asserted, not durations.
 */
let sims: RunningSimulators;
let arrived = 0;
const clients: MoodleClient[] = [];
const countArrival = (req: IncomingMessage) => {
  if (req.url?.startsWith('/webservice/')) arrived += 1;
};

beforeAll(async () => {
  sims = await startSimulators({
    scodoc: false,
    moodle: true,
    scodocPort: 0,
    moodlePort: 0,
    seed: 2026,
    students: 20,
    today: '2026-11-23',
  });
  sims.moodle!.server.on('request', countArrival);
});
afterEach(() => {
  sims.moodle!.clearFaults();
  sims.moodle!.forceException(null);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sims.close();
});

function client(
  resilience: Partial<ResilienceOptions>,
  config: Partial<Pick<MoodleConfig, 'timeoutMs' | 'slowTimeoutMs'>> = {},
): MoodleClient {
  const moodle: MoodleConfig = {
    url: sims.moodle!.url,
    token: MOODLE_SIM_TOKEN,
    timeoutMs: 100,
    connections: 4,
    maxParamsPerRequest: 4000,
    ...config,
  };
  const c = createMoodleClient(moodle, {
    resilience: { retryBaseMs: 5, retryMaxMs: 10, breakerHalfOpenAfterMs: 60_000, ...resilience },
  });
  clients.push(c);
  return c;
}

/** The calls that reached the simulator while `run` ran, and how it ended. */
async function counted<T>(run: () => Promise<T>) {
  const before = arrived;
  const outcome = await run().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error as UpstreamError }),
  );
  return { ...outcome, calls: arrived - before };
}

/** A call that has ended has sent all its attempts; only their arrival may lag a moment. */
async function arrivals(expected: number, run: () => Promise<unknown>) {
  const before = arrived;
  const outcome = await counted(run);
  await vi.waitFor(() => expect(arrived - before).toBeGreaterThanOrEqual(expected));
  expect(arrived - before).toBe(expected);
  return outcome;
}

const courseId = () => [...sims.moodle!.store.courses.keys()].find((id) => id !== 1)!;
const userId = () => [...sims.moodle!.store.users.keys()].at(-1)!;

describe('timeouts are outages', () => {
  it('a read that times out is retried, reaches the caller as TIMEOUT, and opens the breaker', async () => {
    const c = client({ retries: 2, breakerThreshold: 3 });
    sims.moodle!.setFaults({ latencyMs: 800 });
    const first = await arrivals(3, () => c.getSiteInfo());
    expect(first.error).toBeInstanceOf(UpstreamError);
    expect(first.error).toMatchObject({ code: 'TIMEOUT', system: 'moodle' });
    expect(first.error!.message).toBe(
      'Moodle core_webservice_get_site_info: no answer within 100 ms',
    );
    expect(c.breakerState()).toBe('open');
    const next = await counted(() => c.getCategories({}));
    expect(next.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(next.error!.message).toContain('circuit open');
    expect(next.calls).toBe(0);
  });

  it('a write that times out is not retried (it may have been applied), but counts as an outage', async () => {
    const c = client({ retries: 2, breakerThreshold: 2 });
    sims.moodle!.setFaults({ latencyMs: 800 });
    const update = () => c.updateUsers([{ id: userId(), firstname: 'Camille' }]);
    const once = await arrivals(1, update);
    expect(once.error).toMatchObject({ code: 'TIMEOUT' });
    expect(c.breakerState()).toBe('closed');
    expect((await arrivals(1, update)).error).toMatchObject({ code: 'TIMEOUT' });
    expect(c.breakerState()).toBe('open');
  });

  it('an idempotent write (an enrolment) that times out is retried', async () => {
    const c = client({ retries: 1, breakerThreshold: 100 });
    sims.moodle!.setFaults({ latencyMs: 800 });
    const enrol = await arrivals(2, () =>
      c.enrolUsers([{ roleid: 5, userid: userId(), courseid: courseId() }]),
    );
    expect(enrol.error).toMatchObject({ code: 'TIMEOUT' });
  });

  it("a whole-course read (a course's enrolments) gets the longer timeout", async () => {
    const c = client(
      { retries: 0, breakerThreshold: 100 },
      { timeoutMs: 100, slowTimeoutMs: 3000 },
    );
    sims.moodle!.setFaults({ latencyMs: 400 });
    const roster = await arrivals(1, () => c.getEnrolledUsers(courseId()));
    expect(roster.error).toBeUndefined();
    expect(Array.isArray(roster.value)).toBe(true);
    // Any other read still has the base timeout.
    expect((await arrivals(1, () => c.getSiteInfo())).error).toMatchObject({ code: 'TIMEOUT' });
  });

  it('through the gateway: timed-out Moodle reads open the breaker, the next query fails fast', async () => {
    const gw = await startTestGateway({
      students: 20,
      timeoutMs: 150,
      resilience: { retries: 1, retryBaseMs: 5, retryMaxMs: 10, breakerThreshold: 2 },
    });
    try {
      gw.sims.moodle!.setFaults({ latencyMs: 800 });
      const slow = await gw.query('{ courses(first: 1) { totalCount } }');
      expect(slow.errors![0]!.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        upstream: 'moodle',
      });
      await vi.waitFor(() => expect(gw.calls().core_course_get_courses_by_field).toBe(2), {
        timeout: 3000,
      });
      gw.resetCalls();
      const fast = await gw.query('{ courses(first: 1) { totalCount } }');
      expect(fast.errors![0]!.message).toContain('circuit open');
      expect(fast.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(gw.calls()).toEqual({});
    } finally {
      await gw.close();
    }
  });
});

describe('waiting for the half-open trial', () => {
  /** A client whose breaker is open after two 5xx; the fault cleared again. */
  async function opened(halfOpenMs: number) {
    const c = client(
      { retries: 0, breakerThreshold: 2, breakerHalfOpenAfterMs: halfOpenMs },
      { timeoutMs: 2000 },
    );
    sims.moodle!.setFaults({ errorRate: 1 });
    for (let i = 0; i < 2; i += 1) await c.getSiteInfo().catch(() => undefined);
    expect(c.breakerState()).toBe('open');
    sims.moodle!.clearFaults();
    return c;
  }

  it('an impatient call fails fast; a patient one waits for the trial and succeeds', async () => {
    const c = await opened(300);
    const impatient = await counted(() => c.getSiteInfo());
    expect(impatient.error!.message).toContain('circuit open');
    expect(impatient.calls).toBe(0);
    const patient = await arrivals(1, () => patiently(() => c.getSiteInfo()));
    expect(patient.error).toBeUndefined();
    expect(patient.value).toBeTruthy();
    expect(c.breakerState()).toBe('closed');
  });

  it('patient calls in parallel: one is the trial, the others queue behind it; all succeed', async () => {
    const c = await opened(300);
    const all = await arrivals(3, () =>
      patiently(() =>
        Promise.all([c.getSiteInfo(), c.getCategories({}), c.getEnrolledUsers(courseId())]),
      ),
    );
    expect(all.error).toBeUndefined();
    expect(all.value).toHaveLength(3);
  });

  it('a patient call still fails when the upstream is still down at the trial', async () => {
    const c = await opened(300);
    sims.moodle!.setFaults({ errorRate: 1 });
    // Waits for one trial only: the next would come after another half-open delay.
    const still = await arrivals(1, () => patiently(() => c.getSiteInfo(), 400));
    expect(still.error).toMatchObject({ code: 'UNAVAILABLE', status: 500 });
    expect(c.breakerState()).toBe('open');
  });

  it('patience is bounded: past its wait, the call fails fast like any other', async () => {
    const c = await opened(60_000);
    const bounded = await counted(() => patiently(() => c.getSiteInfo(), 50));
    expect(bounded.error!.message).toContain('circuit open');
    expect(bounded.calls).toBe(0);
  });
});
