import { simulatorClients, writeDeps } from './support/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNip } from '../src/domain/linking';
import { Trail } from '../src/provisioning/context';
import { startSimulators, type RunningSimulators } from '../src/simulators/start';
import type { LeaverPolicy } from '../src/sync/plan';
import { runSync } from '../src/sync/run';

/**
 * The leavers policy for students ScoDoc no longer registers in the semester at all (issue 15, item 6), and
 * suspended accounts under Moodle 5.0's real `onlyactive` (item 7). ScoDoc's data is changed through the
 * simulator's store, in process: removing a registration is dropping its row (no HTTP hook needed).
 */
const SESSION = 'INFO-BUT-FI-S1-2026';
let sims: RunningSimulators;
let deps: Parameters<typeof runSync>[0];
let closeClients: () => Promise<void>;
beforeAll(async () => {
  sims = await startSimulators({
    scodoc: true,
    moodle: true,
    scodocPort: 0,
    moodlePort: 0,
    seed: 2026,
    students: 300,
    today: '2026-11-23',
  });
  const clients = simulatorClients(sims);
  deps = writeDeps(clients);
  closeClients = clients.close;
  // Everyone registered gets an account and an enrolment first; leavers kept, so nothing else moves.
  await sync('KEEP', false);
});
afterAll(async () => {
  await closeClients();
  await sims.close();
});

const store = () => sims.moodle!.store;
const semesterId = () => sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;
const course = () => [...store().courses.values()].find((c) => c.idnumber === SESSION)!;
const sync = (leavers: LeaverPolicy, dryRun: boolean) =>
  runSync(deps, new Trail(), { semesterId: semesterId(), dryRun, leavers });

const nipOf = (etudid: number) => sims.university.students.find((s) => s.etudid === etudid)!.nip!;
const accountOf = (nip: string) =>
  [...store().users.values()].find((u) => !u.deleted && normalizeNip(u.idnumber) === nip)!;
/** The user's enrolment rows in the course, as `roleid:active|suspended`, sorted. */
const rows = (userid: number) =>
  store()
    .enrolments.filter((e) => e.userid === userid && e.courseid === course().id)
    .map((e) => `${e.roleid}:${e.suspended ? 'suspended' : 'active'}`)
    .sort();

/** Registered (I) students of the semester who have an account actively enrolled as students. */
function enrolledRegistered(): Array<{ etudid: number; nip: string; userid: number }> {
  return sims
    .scodoc!.store.inscriptions.filter((i) => i.formsemestre_id === semesterId() && i.etat === 'I')
    .map((i) => ({ etudid: i.etudid, nip: nipOf(i.etudid) }))
    .filter((s) => s.nip && accountOf(s.nip))
    .map((s) => ({ ...s, userid: accountOf(s.nip).id }))
    .filter((s) => rows(s.userid).join() === '5:active');
}

/** Drops a student's registration in the semester from ScoDoc: no longer registered at all, not even D/DEF. */
function unregister(etudid: number) {
  const scodoc = sims.scodoc!.store;
  scodoc.inscriptions = scodoc.inscriptions.filter(
    (i) => !(i.etudid === etudid && i.formsemestre_id === semesterId()),
  );
}

describe('leavers no longer registered in the semester at all', () => {
  it('are suspended or unenrolled by the policy, and only accounts the course holds by the link rule', async () => {
    const [gone, teacherToo, nowTeacher] = enrolledRegistered();
    for (const s of [gone!, teacherToo!, nowTeacher!]) unregister(s.etudid);
    // Also a teacher (non-editing) in the course: the role is not the sync's.
    store().enrol({
      userid: teacherToo!.userid,
      courseid: course().id,
      roleid: 4,
      suspended: false,
    });
    for (const e of store().enrolments)
      if (e.userid === nowTeacher!.userid && e.courseid === course().id) e.roleid = 3;
    // Student-role accounts the link rule does not tie to a ScoDoc student: an unknown NIP, no idnumber.
    const stranger = store().addUser({
      username: 'guest.stranger',
      firstname: 'Guest',
      lastname: 'Stranger',
      email: 'guest.stranger@example.org',
      idnumber: '99999999',
      auth: 'manual',
    });
    const noIdnumber = store().addUser({
      username: 'guest.noid',
      firstname: 'Guest',
      lastname: 'Noid',
      email: 'guest.noid@example.org',
      idnumber: '',
      auth: 'manual',
    });
    for (const u of [stranger, noIdnumber])
      store().enrol({ userid: u.id, courseid: course().id, roleid: 5, suspended: false });
    const untouched = () => ({
      teacherToo: rows(teacherToo!.userid),
      nowTeacher: rows(nowTeacher!.userid),
      stranger: rows(stranger.id),
      noIdnumber: rows(noIdnumber.id),
    });
    const before = untouched();
    expect(before).toEqual({
      teacherToo: ['4:active', '5:active'],
      nowTeacher: ['3:active'],
      stranger: ['5:active'],
      noIdnumber: ['5:active'],
    });

    // KEEP: nothing planned for them.
    const kept = await sync('KEEP', false);
    expect(kept.plan.enrolmentsToRemove).toEqual([]);
    expect(rows(gone!.userid)).toEqual(['5:active']);

    // SUSPEND: the linked student-only account is suspended, once.
    const planned = await sync('SUSPEND', true);
    const removals = planned.plan.enrolmentsToRemove.map((e) => e.userid);
    expect(removals).toContain(gone!.userid);
    for (const id of [teacherToo!.userid, nowTeacher!.userid, stranger.id, noIdnumber.id])
      expect(removals).not.toContain(id);
    expect(planned.plan.enrolmentsToRemove).toContainEqual({
      nip: gone!.nip,
      userid: gone!.userid,
    });
    await sync('SUSPEND', false);
    expect(rows(gone!.userid)).toEqual(['5:suspended']);
    expect((await sync('SUSPEND', true)).plan.enrolmentsToRemove).toEqual([]);
    expect(untouched()).toEqual(before);

    // UNENROL: the (suspended) enrolment goes; nobody else's.
    const unenrol = await sync('UNENROL', false);
    expect(unenrol.report.failures.filter((f) => f.step === 'remove')).toEqual([]);
    expect(rows(gone!.userid)).toEqual([]);
    expect(untouched()).toEqual(before);
    expect((await sync('UNENROL', true)).plan.enrolmentsToRemove).toEqual([]);
  });
});

describe("suspended accounts with Moodle 5.0's onlyactive", () => {
  it('the simulator hides suspended enrolments from onlyactive, not suspended accounts', async () => {
    const [a, b] = enrolledRegistered();
    store().users.get(a!.userid)!.suspended = true;
    store().users.get(b!.userid)!.suspended = true;
    for (const e of store().enrolments)
      if (e.userid === b!.userid && e.courseid === course().id) e.suspended = true;
    const active = (await deps.moodle.getEnrolledUsers(course().id, { onlyactive: true })).map(
      (u) => u.id,
    );
    expect(active).toContain(a!.userid);
    expect(active).not.toContain(b!.userid);
    const all = (await deps.moodle.getEnrolledUsers(course().id)).map((u) => u.id);
    expect(all).toEqual(expect.arrayContaining([a!.userid, b!.userid]));

    // The sync leaves the suspended account with an active enrolment alone, re-activates the suspended
    // enrolment of the other, and then has nothing left to do (no loop on either).
    const planned = await sync('KEEP', true);
    const adds = planned.plan.enrolmentsToAdd.map((e) => e.userid);
    expect(adds).not.toContain(a!.userid);
    expect(adds).toContain(b!.userid);
    await sync('KEEP', false);
    expect(rows(b!.userid)).toEqual(['5:active']);
    expect(rows(a!.userid)).toEqual(['5:active']);
    const again = await sync('KEEP', true);
    expect(again.plan.enrolmentsToAdd.map((e) => e.userid)).not.toContain(b!.userid);
    expect(again.plan.enrolmentsToAdd.map((e) => e.userid)).not.toContain(a!.userid);
    // The account itself stays suspended: the sync manages enrolments, not accounts.
    expect(store().users.get(a!.userid)!.suspended).toBe(true);
  });
});
