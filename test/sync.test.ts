import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNip } from '../src/domain/linking';
import {
  SyncSemesterDocument,
  type LeaverPolicy,
  type SyncSemesterInput,
} from '../src/generated/operations';
import { runSync } from '../src/sync/run';
import { UpstreamError } from '../src/upstreams/errors';
import { Trail } from '../src/provisioning/context';
import { expectTypename } from './support/expect';
import { simulatorClients, writeDeps } from './support/clients';
import { startTestGateway, type TestGateway } from './support/gateway';

/** Two identical universities: one synced in one go, one interrupted then re-run. */
let calm: TestGateway;
let stormy: TestGateway;
beforeAll(async () => {
  [calm, stormy] = await Promise.all([
    startTestGateway({ students: 400 }),
    startTestGateway({ students: 400 }),
  ]);
  // Precondition, identical on both: every leaver who has an account is still actively enrolled (forgotten by
  // whoever manages the course), so the leavers policy has work to do.
  for (const gw of [calm, stormy]) activateLeavers(gw);
});

function activateLeavers(gw: TestGateway) {
  const store = gw.sims.moodle!.store;
  const course = [...store.courses.values()].find((c) => c.idnumber === SESSION)!;
  const sem = semesterId(gw);
  for (const r of gw.sims.university.registrations.filter(
    (x) => x.formsemestreId === sem && x.etat !== 'I',
  )) {
    const nip = gw.sims.university.students.find((x) => x.etudid === r.etudid)!.nip;
    const user = [...store.users.values()].find(
      (u) => !u.deleted && normalizeNip(u.idnumber) === nip,
    );
    if (user) store.enrol({ userid: user.id, courseid: course.id, roleid: 5, suspended: false });
  }
  // And one registered, enrolled student's whole account is suspended in Moodle (a sync must not loop on it).
  const enrolled = new Set(
    store.enrolments.filter((e) => e.courseid === course.id).map((e) => e.userid),
  );
  const registered = gw.sims.university.registrations.filter(
    (x) => x.formsemestreId === sem && x.etat === 'I',
  );
  const nips = new Set(
    registered.map((r) => gw.sims.university.students.find((x) => x.etudid === r.etudid)!.nip),
  );
  const victim = [...store.users.values()].find(
    (u) => enrolled.has(u.id) && nips.has(normalizeNip(u.idnumber)),
  )!;
  victim.suspended = true;
}
afterAll(() => Promise.all([calm.close(), stormy.close()]));

const SESSION = 'INFO-BUT-FI-S1-2026';
const semesterId = (gw: TestGateway) =>
  gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;

async function sync(gw: TestGateway, opts: { dryRun: boolean; leavers?: LeaverPolicy }) {
  const { syncSemester: r } = await gw.execute(SyncSemesterDocument, {
    input: {
      semesterId: semesterId(gw),
      dryRun: opts.dryRun,
      leavers: opts.leavers ?? 'SUSPEND',
    },
  });
  expectTypename(r, 'SyncSemesterSuccess');
  return r.report;
}

/** The course as a map NIP → enrolment status, plus how many live accounts each NIP has. */
function snapshot(gw: TestGateway) {
  const store = gw.sims.moodle!.store;
  const course = [...store.courses.values()].find((c) => c.idnumber === SESSION)!;
  const status = new Map<string, string>();
  for (const e of store.enrolments.filter((x) => x.courseid === course.id)) {
    const nip =
      normalizeNip(store.users.get(e.userid)!.idnumber) ??
      `user:${store.users.get(e.userid)!.username}`;
    status.set(nip, `${e.roleid}:${e.suspended ? 'suspended' : 'active'}`);
  }
  const accounts = new Map<string, number>();
  for (const u of store.users.values())
    if (!u.deleted && normalizeNip(u.idnumber))
      accounts.set(normalizeNip(u.idnumber)!, (accounts.get(normalizeNip(u.idnumber)!) ?? 0) + 1);
  return {
    status: Object.fromEntries([...status].sort()),
    accounts: Object.fromEntries([...accounts].sort()),
  };
}

describe('syncSemester', () => {
  it('a dry run plans without a single write call', async () => {
    calm.resetCalls();
    const plan = await sync(calm, { dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.accountsToCreate).toBeGreaterThan(0);
    expect(plan.enrolmentsToAdd).toBeGreaterThan(plan.accountsToCreate);
    expect(plan.enrolmentsToRemove).toBeGreaterThan(0);
    const writes = Object.keys(calm.calls()).filter((k) =>
      /create|delete|update|enrol_manual|POST \/(?!tokens)/.test(k),
    );
    expect(writes).toEqual([]);
    expect(plan.accountsCreated + plan.enrolmentsAdded + plan.enrolmentsRemoved).toBe(0);
  });

  it('applies the plan, and a second apply does nothing', async () => {
    const before = await sync(calm, { dryRun: true });
    const applied = await sync(calm, { dryRun: false });
    expect(applied).toMatchObject({
      dryRun: false,
      accountsCreated: before.accountsToCreate,
      enrolmentsAdded: before.enrolmentsToAdd,
      enrolmentsRemoved: before.enrolmentsToRemove,
    });
    expect(applied.failures.filter((f) => f.step !== 'plan')).toEqual([]);
    calm.resetCalls();
    const again = await sync(calm, { dryRun: false });
    expect(again).toMatchObject({
      accountsToCreate: 0,
      accountsCreated: 0,
      enrolmentsToAdd: 0,
      enrolmentsAdded: 0,
      enrolmentsToRemove: 0,
      enrolmentsRemoved: 0,
    });
    expect(Object.keys(calm.calls()).filter((k) => /create_users|enrol_manual/.test(k))).toEqual(
      [],
    );

    // The end state is what ScoDoc says: every registered student actively enrolled, every leaver suspended.
    const snap = snapshot(calm);
    const sem = semesterId(calm);
    for (const r of calm.sims.university.registrations.filter((x) => x.formsemestreId === sem)) {
      const s = calm.sims.university.students.find((x) => x.etudid === r.etudid)!;
      if (r.etat === 'I') expect(snap.status[s.nip!], s.nip!).toBe('5:active');
      else if (snap.status[s.nip!]) expect(snap.status[s.nip!]).toBe('5:suspended');
    }
    expect(Object.values(snap.accounts).every((n) => n === 1)).toBe(true);
  });

  it('interrupted half-way (reply lost after Moodle created the accounts, then enrolments failing), then re-run: exactly the uninterrupted end state', async () => {
    // The first run goes through clients whose replies are cut: Moodle creates the accounts but the gateway never
    // hears back (the worst place to crash), and every enrolment call fails.
    const clients = simulatorClients(stormy.sims);
    const { moodle } = clients;
    const lost = (what: string) =>
      new UpstreamError({
        system: 'moodle',
        code: 'UNAVAILABLE',
        message: `Moodle ${what}: connection reset`,
      });
    const createUsers = moodle.createUsers.bind(moodle);
    moodle.createUsers = async (users) => {
      await createUsers(users);
      throw lost('core_user_create_users');
    };
    moodle.enrolUsers = () => Promise.reject(lost('enrol_manual_enrol_users'));
    const deps = writeDeps(clients);
    const crashed = await runSync(deps, new Trail(), {
      semesterId: semesterId(stormy),
      dryRun: false,
      leavers: 'SUSPEND',
    });
    expect(crashed.report.accountsCreated).toBe(0);
    expect(crashed.report.enrolmentsAdded).toBe(0);
    expect(crashed.report.failures.filter((f) => f.step !== 'plan').length).toBeGreaterThan(0);
    await clients.close();
    // Moodle did create them, unbeknownst to the gateway:
    expect(Object.values(snapshot(stormy).accounts).every((n) => n === 1)).toBe(true);

    const rerun = await sync(stormy, { dryRun: false });
    expect(rerun.accountsToCreate).toBe(0); // found again by idnumber: never created twice
    expect(rerun.failures.filter((f) => f.step !== 'plan')).toEqual([]);
    expect(await sync(stormy, { dryRun: true })).toMatchObject({
      accountsToCreate: 0,
      enrolmentsToAdd: 0,
      enrolmentsToRemove: 0,
    });

    const a = snapshot(calm);
    const b = snapshot(stormy);
    expect(b.status).toEqual(a.status);
    expect(b.accounts).toEqual(a.accounts);
  });

  it('refuses bad input and an unknown semester or course', async () => {
    const syncSemester = async (input: SyncSemesterInput) =>
      (await calm.execute(SyncSemesterDocument, { input })).syncSemester;
    expect(await syncSemester({ semesterId: -1 })).toMatchObject({ __typename: 'ValidationError' });
    expect(await syncSemester({ semesterId: 999999 })).toMatchObject({
      __typename: 'NotFoundError',
      what: 'semester',
    });
    expect(await syncSemester({ semesterId: 1001, courseId: 999999 })).toMatchObject({
      __typename: 'NotFoundError',
      what: 'course',
    });
  });
});
