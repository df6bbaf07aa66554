import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../src/auth/scopes';
import type { SecurityConfig } from '../src/config';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * Fair shares through the gateway: Moodle slowed down, one API key floods it with more requests than the
 * pool and its queue hold, another keeps working. Moodle's pool is 10 (a share of 5 per client) and the
 * queue 10, so the flood is refused in part; the other client's requests all succeed. Before fair shares,
 * one FIFO queue in front of the pool, kept full by the flood, refused the other client's calls too.
 */
const FLOOD = { name: 'flood', key: 'flood-key-0123456789abcdef', scopes: ['read' as Scope] };
const QUIET = { name: 'quiet', key: 'quiet-key-0123456789abcdef', scopes: ['read' as Scope] };
const SECURITY: SecurityConfig = {
  ...OPEN_SECURITY,
  auth: { apiKeys: [FLOOD, QUIET], jwt: null, disabled: false },
  rateLimitPerMinute: 1_000_000,
};
const bearer = (k: { key: string }) => ({ authorization: `Bearer ${k.key}` });
const COURSE = 'query Course($id: Int!) { course(id: $id) { moodleId } }';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    students: 60,
    security: SECURITY,
    secrets: [FLOOD.key, QUIET.key],
    resilience: { queue: 10 },
    captureLogs: false,
  });
});
afterAll(() => gw.close());

type Outcome = 'ok' | 'saturated' | 'other';

async function courseQuery(client: typeof FLOOD, id: number): Promise<Outcome> {
  const res = await gw.query<{ course: { moodleId: number } | null }, { id: number }>(
    COURSE,
    { id },
    bearer(client),
  );
  if (!res.errors && res.data?.course?.moodleId === id) return 'ok';
  const saturated =
    res.errors?.length === 1 &&
    res.errors[0]!.message === 'Moodle is saturated: too many requests waiting' &&
    res.errors[0]!.extensions?.code === 'UPSTREAM_UNAVAILABLE';
  return saturated ? 'saturated' : 'other';
}

async function metric(line: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(' ')[1]) : 0;
}

describe('fair share through the gateway', () => {
  it("a flood from one client does not make the other client's requests fail", async () => {
    const listed = await gw.query<
      { courses: { edges: Array<{ node: { moodleId: number } }> } },
      object
    >('{ courses(first: 100) { edges { node { moodleId } } } }', {}, bearer(QUIET));
    expect(listed.errors).toBeUndefined();
    const ids = listed.data!.courses.edges.map((e) => e.node.moodleId);
    expect(ids.length).toBeGreaterThanOrEqual(20);
    gw.resetCalls();
    gw.sims.moodle!.setFaults({ latencyMs: 100 });

    // The flood: 40 requests at a time, each for a course (a Moodle call), until the other client is done.
    const flood: Record<Outcome, number> = { ok: 0, saturated: 0, other: 0 };
    let stop = false;
    let saturatedOnce!: () => void;
    const saturated = new Promise<void>((resolve) => (saturatedOnce = resolve));
    let next = 0;
    const workers = Array.from({ length: 40 }, async () => {
      while (!stop) {
        const outcome = await courseQuery(FLOOD, ids[next++ % ids.length]!);
        flood[outcome] += 1;
        if (outcome === 'saturated') saturatedOnce();
      }
    });

    // Once the flood is refused (the pool and the queue are full), the other client sends 3 rounds of 8.
    await saturated;
    const quiet: Outcome[] = [];
    for (let round = 0; round < 3; round += 1)
      quiet.push(
        ...(await Promise.all(
          Array.from({ length: 8 }, (_, i) => courseQuery(QUIET, ids[round * 8 + i]!)),
        )),
      );
    stop = true;
    await Promise.all(workers);
    gw.reset();

    expect(quiet).toEqual(Array.from({ length: 24 }, () => 'ok'));
    expect(flood.saturated).toBeGreaterThan(0);
    expect(flood.ok).toBeGreaterThan(0);
    expect(flood.other).toBe(0);
    // Every refusal was the flood's (two of its requests for one course may share a refused call), and none
    // of them reached Moodle.
    const refused = await metric('campusgraph_upstream_saturated_total{system="moodle"}');
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(flood.saturated);
    const calls = await metric(
      'campusgraph_upstream_calls_total{system="moodle",function="core_course_get_courses_by_field",outcome="ok"}',
    );
    expect(calls).toBeGreaterThanOrEqual(quiet.length);
    expect(calls).toBeLessThanOrEqual(quiet.length + flood.ok + 1);
    expect(await metric('campusgraph_upstream_queued_calls{system="moodle"}')).toBe(0);
  });
});
