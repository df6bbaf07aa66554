import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNip } from '../src/domain/linking';
import { SyncSemesterDocument } from '../src/generated/operations';
import { applyIsolatingFailures, newHalt, type NipFailure } from '../src/provisioning/batches';
import { Trail } from '../src/provisioning/context';
import { settleLost } from '../src/provisioning/reread';
import { runSync } from '../src/sync/run';
import { UpstreamError } from '../src/upstreams/errors';
import { MoodleError } from '../src/upstreams/moodle/errors';
import { expectTypename } from './support/expect';
import { forgetAccounts, simulatorClients, writeDeps } from './support/clients';
import { startTestGateway, type TestGateway } from './support/gateway';

/** The semester with the most registrations whose course exists: several chunks per step. */
function biggestSemester(gw: TestGateway) {
  const u = gw.sims.university;
  const courses = new Set([...gw.sims.moodle!.store.courses.values()].map((c) => c.idnumber));
  const counts = new Map<number, number>();
  for (const r of u.registrations)
    counts.set(r.formsemestreId, (counts.get(r.formsemestreId) ?? 0) + 1);
  return [...counts]
    .filter(([id]) => courses.has(u.semesters.find((s) => s.id === id)!.sessionId))
    .sort((a, b) => b[1] - a[1])[0]![0];
}

/** As if the semester's students had never had a Moodle account: the sync has them all to create. */
function forgetSemesterAccounts(gw: TestGateway, semesterId: number) {
  const u = gw.sims.university;
  const nips = new Set(
    u.registrations
      .filter((r) => r.formsemestreId === semesterId)
      .map((r) => u.students.find((x) => x.etudid === r.etudid)!.nip),
  );
  forgetAccounts(gw.sims, nips);
}

async function apply(gw: TestGateway, semesterId: number) {
  const { syncSemester: r } = await gw.execute(SyncSemesterDocument, {
    input: { semesterId, dryRun: false, leavers: 'SUSPEND' },
  });
  expectTypename(r, 'SyncSemesterSuccess');
  return r.report;
}

const refusal = () =>
  new MoodleError({
    wsfunction: 'core_user_create_users',
    errorcode: 'invalidparameter',
    message: 'Invalid parameter value detected',
    exception: 'invalid_parameter_exception',
  });

describe('bisection only for item-specific refusals', () => {
  const items = Array.from({ length: 100 }, (_, i) => ({ nip: String(10_000 + i) }));

  it('a refusal every item shares halts the step after 4 calls, with one reason', async () => {
    let calls = 0;
    const failures: NipFailure[] = [];
    const halt = newHalt();
    const done = await applyIsolatingFailures(
      items,
      () => (calls++, Promise.reject(refusal())),
      failures,
      halt,
    );
    expect(done).toEqual([]);
    expect(calls).toBe(4); // the batch, its two halves, its first item alone
    expect(halt.reason?.message).toContain('Invalid parameter value detected');
    expect(halt.skipped + failures.length).toBe(100);
    expect(failures.length).toBeLessThanOrEqual(1);
  });

  it('two bad items with the same message, one in each half, are still found by bisection', async () => {
    const bad = new Set(['10003', '10071']);
    const failures: NipFailure[] = [];
    const halt = newHalt();
    const done = await applyIsolatingFailures(
      items,
      (b) => (b.some((x) => bad.has(x.nip)) ? Promise.reject(refusal()) : Promise.resolve()),
      failures,
      halt,
    );
    expect(halt.reason).toBeNull();
    expect(failures.map((f) => f.nip).sort()).toEqual([...bad]);
    expect(done).toHaveLength(98);
  });

  it('a lost answer whose read-back fails too is unknown, not a failure', async () => {
    const lost = [{ item: { nip: '1' }, message: 'Moodle enrol_manual_enrol_users: no answer' }];
    const unavailable = new UpstreamError({
      system: 'moodle',
      code: 'UNAVAILABLE',
      message: 'down',
    });
    const r = await settleLost(
      lost,
      () => Promise.reject(unavailable),
      () => null,
    );
    expect(r.done).toEqual([]);
    expect(r.notDone).toEqual([]);
    expect(r.unknown.map((u) => u.item.nip)).toEqual(['1']);
  });
});

describe('a systematic refusal costs O(1) calls through the simulators', () => {
  let cas: TestGateway;
  beforeAll(async () => {
    cas = await startTestGateway({
      students: 2000,
      accounts: { usernameRule: 'nip', auth: 'cas' },
      resilience: { retries: 0, breakerThreshold: 1_000 },
    });
  });
  afterAll(() => cas.close());

  it('an auth plugin the site lacks: at most 2 create calls and one report line for the step', async () => {
    expect(cas.sims.moodle!.store.authPlugins.has('cas')).toBe(false);
    const semesterId = biggestSemester(cas);
    forgetSemesterAccounts(cas, semesterId);
    cas.resetCalls();
    const report = await apply(cas, semesterId);
    expect(report.accountsToCreate).toBeGreaterThan(100); // several chunks
    expect(report.accountsCreated).toBe(0);
    expect(cas.calls()['core_user_create_users']).toBeLessThanOrEqual(2);
    const lines = report.failures.filter((f) => f.step === 'createAccount');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.nip).toBeNull();
    expect(lines[0]!.message).toContain('MOODLE_AUTH');
    expect(lines[0]!.message).toContain(`${report.accountsToCreate} student(s) not handled`);
  });
});

describe('at scale: parallel chunks, look-ups, the roster read once', () => {
  let gw: TestGateway;
  let semesterId: number;
  beforeAll(async () => {
    gw = await startTestGateway({ students: 2000 });
    semesterId = biggestSemester(gw);
    forgetSemesterAccounts(gw, semesterId);
  });
  afterAll(() => gw.close());

  it('the first apply sends chunks concurrently, within the fair share, and reads the roster once', async () => {
    const moodle = gw.sims.moodle!;
    // Slow enough that chunks sent together are seen together; no worker limit, so the peak is the gateway's.
    moodle.setCostModel({ perCallMs: 40, perItemMs: {}, workers: 100 });
    moodle.resetPeakConcurrency();
    gw.resetCalls();
    try {
      const report = await apply(gw, semesterId);
      expect(report.accountsToCreate).toBeGreaterThan(200); // 3 chunks: one alone, then two together
      expect(report.accountsCreated).toBe(report.accountsToCreate);
      expect(report.unknown).toEqual([]);
    } finally {
      moodle.setCostModel(null);
    }
    const peak = moodle.peakConcurrency('core_user_create_users');
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4); // the default concurrency, under the share (7 of a pool of 10)
    expect(moodle.peakConcurrency('enrol_manual_enrol_users')).toBeGreaterThan(1);
    // Two lists (all enrolments, active ones), each read once by the plan; the role comes from the first.
    // The groups step reads the course's members once more, after the enrolments (groups-step.ts).
    expect(gw.calls()['core_enrol_get_enrolled_users']).toBe(3);
  });

  it('a no-op re-apply looks up the exact NIPs first and the variants of the misses only', async () => {
    const clients = simulatorClients(gw.sims);
    const { moodle } = clients;
    const sent: string[][] = [];
    const byField = moodle.getUsersByField.bind(moodle);
    moodle.getUsersByField = (field, values) => {
      if (field === 'idnumber') sent.push([...values]);
      return byField(field, values);
    };
    const deps = writeDeps(clients);
    try {
      const { plan, report } = await runSync(deps, new Trail(), {
        semesterId,
        dryRun: false,
        leavers: 'SUSPEND',
      });
      expect(report.accountsCreated + report.enrolmentsAdded + report.enrolmentsRemoved).toBe(0);
      const nips = new Set(sent[0]!.concat(...sent.slice(1, 4)));
      const values = sent.flat().length;
      const misses = plan.problems.filter((p) => p.nip !== null).length;
      // Every NIP once as it is, four more spellings only for the NIPs without an account.
      expect(values).toBeLessThanOrEqual(nips.size + 4 * misses);
      expect(values).toBeLessThan(2 * nips.size);
      expect(sent.length).toBeGreaterThan(1); // chunks of 500, sent together
    } finally {
      await clients.close();
    }
  });
});

describe('honest outcomes after lost answers', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      students: 400,
      timeoutMs: 400,
      resilience: { retries: 0, breakerThreshold: 1_000 },
    });
  });
  afterAll(() => gw.close());

  it('accounts and enrolments Moodle made but whose answers were lost are read back and reported done', async () => {
    const semester = gw.sims.university.semesters.find(
      (s) => s.sessionId === 'INFO-BUT-FI-S1-2026',
    )!;
    const moodle = gw.sims.moodle!;
    moodle.loseAnswers({ wsfunction: 'core_user_create_users', count: 1, holdMs: 800 });
    const first = await apply(gw, semester.id);
    expect(first.accountsToCreate).toBeGreaterThan(0);
    expect(first.accountsCreated).toBe(first.accountsToCreate);
    expect(first.failures.filter((f) => f.step !== 'plan')).toEqual([]);
    expect(first.unknown).toEqual([]);

    // Leavers to suspend: their enrolment answer is lost this time.
    const store = moodle.store;
    const course = [...store.courses.values()].find((c) => c.idnumber === semester.sessionId)!;
    const u = gw.sims.university;
    const registered = new Set(
      u.registrations
        .filter((r) => r.formsemestreId === semester.id && r.etat === 'I')
        .map((r) => u.students.find((x) => x.etudid === r.etudid)!.nip),
    );
    const active = store.enrolments.filter(
      (e) =>
        e.courseid === course.id &&
        !e.suspended &&
        registered.has(normalizeNip(store.users.get(e.userid)?.idnumber) ?? ''),
    );
    for (const e of active.slice(0, 3)) e.suspended = true;
    moodle.loseAnswers({ wsfunction: 'enrol_manual_enrol_users', count: 1, holdMs: 800 });
    const second = await apply(gw, semester.id);
    expect(second.enrolmentsToAdd).toBeGreaterThanOrEqual(3);
    expect(second.enrolmentsAdded).toBe(second.enrolmentsToAdd);
    expect(second.failures.filter((f) => f.step !== 'plan')).toEqual([]);
    expect(second.unknown).toEqual([]);
    moodle.loseAnswers(null);
  });
});

describe('the breaker opening mid-apply', () => {
  let gw: TestGateway;
  let semesterId: number;
  beforeAll(async () => {
    // Two outages open the breaker; it lets a trial through after 300 ms.
    gw = await startTestGateway({
      students: 2000,
      resilience: { breakerThreshold: 2, breakerHalfOpenAfterMs: 300 },
    });
    semesterId = biggestSemester(gw);
    forgetSemesterAccounts(gw, semesterId);
  });
  afterAll(() => gw.close());

  it('does not fail the rest: the apply waits for the half-open trial and goes on', async () => {
    // The first two account chunks meet a 503 burst: enough to open the breaker mid-step.
    gw.sims.moodle!.failCalls({ wsfunction: 'core_user_create_users', count: 2 });
    const report = await apply(gw, semesterId);
    const creates = gw.calls()['core_user_create_users'] ?? 0;
    expect(report.accountsToCreate).toBeGreaterThan(200);
    const messages = [...report.failures, ...report.unknown].map((f) => f.message);
    // No student is reported failed because calls were paused: only the two chunks that met the 503s.
    expect(messages.filter((m) => /circuit open|paused/.test(m))).toEqual([]);
    // The third chunk was sent once the breaker let a trial through, and went in.
    expect(creates).toBe(3);
    expect(report.accountsCreated).toBe(report.accountsToCreate - 200);
  });
});
