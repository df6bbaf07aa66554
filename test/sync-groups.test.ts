import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GROUP_LINK } from '../src/domain/group-linking';
import { normalizeNip } from '../src/domain/linking';
import { SyncSemesterDocument } from '../src/generated/operations';
import { courseOfSemesterOrFail, semesterOrFail } from '../src/provisioning/records';
import { applyGroups } from '../src/sync/groups-apply';
import { planGroups } from '../src/sync/groups-plan';
import { simulatorClients, writeDeps } from './support/clients';
import { expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/** The groups step over HTTP against both simulators, after the accounts-and-enrolments sync. */
const SESSION = 'INFO-BUT-FI-S1-2026';
let gw: TestGateway;
let clients: ReturnType<typeof simulatorClients>;
beforeAll(async () => {
  gw = await startTestGateway({ students: 120 });
  clients = simulatorClients(gw.sims);
  const semesterId = gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;
  const { syncSemester: r } = await gw.execute(SyncSemesterDocument, {
    input: { semesterId, dryRun: false, leavers: 'KEEP', groups: 'SKIP' },
  });
  expectTypename(r, 'SyncSemesterSuccess');
});
afterAll(() => Promise.all([clients.close(), gw.close()]));

async function plan(removeEmptyGroups = false) {
  const deps = writeDeps(clients);
  const semesterId = gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;
  const semester = await semesterOrFail(deps, semesterId);
  const course = await courseOfSemesterOrFail(deps, semester, null);
  const p = await planGroups(deps, {
    semester,
    course,
    rule: DEFAULT_GROUP_LINK,
    removeEmptyGroups,
  });
  return { deps, course, plan: p };
}

const groupCalls = () => Object.entries(gw.calls()).filter(([k]) => k.startsWith('core_group_'));
const writes = () => groupCalls().filter(([k]) => /create|add|delete|assign/.test(k));

/** ScoDoc's side, from its store: idnumber → NIPs of the semester's named-partition groups. */
function scodocGroups() {
  const store = gw.sims.scodoc!.store;
  const sem = gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;
  const registered = new Set(
    gw.sims.university.registrations
      .filter((r) => r.formsemestreId === sem && r.etat === 'I')
      .map((r) => r.etudid),
  );
  const out = new Map<string, string[]>();
  for (const p of store.partitionsOf(sem).filter((p) => p.partition_name))
    for (const g of store.groupsOf(p.id))
      out.set(
        `scodoc:${g.id}`,
        [...g.etudids]
          .filter((e) => registered.has(e))
          .map((e) => gw.sims.university.students.find((s) => s.etudid === e)!.nip!),
      );
  return out;
}

/** Moodle's side: idnumber → NIPs of the members. */
function moodleGroups(courseId: number) {
  const m = gw.sims.moodle!.store;
  const out = new Map<string, string[]>();
  for (const g of m.groups.groups.values())
    if (g.courseid === courseId)
      out.set(
        g.idnumber,
        [...m.groups.membersOf(g.id)].map((u) => normalizeNip(m.users.get(u)!.idnumber)!),
      );
  return out;
}

describe('groups sync', () => {
  it('a dry run lists exactly the groups and members to make, with reads only', async () => {
    gw.resetCalls();
    const { plan: p } = await plan();
    const wanted = scodocGroups();
    const nonEmpty = [...wanted].filter(([, nips]) => nips.length > 0);
    expect(p.groupsToCreate.map((g) => g.idnumber).sort()).toEqual(
      nonEmpty.map(([id]) => id).sort(),
    );
    expect(p.membersToAdd.length).toBe(nonEmpty.reduce((n, [, nips]) => n + nips.length, 0));
    expect(p.membersToRemove).toEqual([]);
    expect(writes()).toEqual([]);
    // Reads: course groups, course groupings, and nothing per group or per student (no group of ours yet).
    expect(Object.fromEntries(groupCalls())).toEqual({
      core_group_get_course_groups: 1,
      core_group_get_course_groupings: 1,
    });
  });

  it('applies, and a second apply does nothing', async () => {
    const { deps, course, plan: p } = await plan();
    gw.resetCalls();
    const report = await applyGroups(deps, course.id, p);
    expect(report.groupsCreated).toBe(p.groupsToCreate.length);
    expect(report.membersAdded).toBe(p.membersToAdd.length);
    // One request per kind of write (the members of every group in one call, under the form budget).
    expect(gw.calls()['core_group_add_group_members']).toBe(1);
    expect(gw.calls()['core_group_create_groups']).toBe(1);
    const moodle = moodleGroups(course.id);
    for (const [id, nips] of scodocGroups())
      if (nips.length > 0) expect(moodle.get(id)?.sort(), id).toEqual([...nips].sort());
    const again = await plan();
    expect(again.plan).toMatchObject({
      groupingsToCreate: [],
      groupsToCreate: [],
      assignmentsToAdd: [],
      membersToAdd: [],
      membersToRemove: [],
    });
  });

  it('a student moved from one TD group to another in ScoDoc is moved in Moodle', async () => {
    const store = gw.sims.scodoc!.store;
    const sem = gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;
    const td = store.partitionsOf(sem).find((p) => store.groupsOf(p.id).length >= 2)!;
    const [a, b] = store.groupsOf(td.id);
    const registered = gw.sims.university.registrations.filter(
      (r) => r.formsemestreId === sem && r.etat === 'I',
    );
    const etudid = [...a!.etudids].find((e) => registered.some((r) => r.etudid === e))!;
    a!.etudids.delete(etudid);
    b!.etudids.add(etudid);
    const { deps, course, plan: p } = await plan();
    const nip = gw.sims.university.students.find((s) => s.etudid === etudid)!.nip!;
    expect(p.membersToAdd.map((m) => [m.group, m.nip])).toEqual([[`scodoc:${b!.id}`, nip]]);
    expect(p.membersToRemove.map((m) => [m.group, m.nip])).toEqual([[`scodoc:${a!.id}`, nip]]);
    await applyGroups(deps, course.id, p);
    const moodle = moodleGroups(course.id);
    expect(moodle.get(`scodoc:${b!.id}`)).toContain(nip);
    expect(moodle.get(`scodoc:${a!.id}`)).not.toContain(nip);
  });

  it('leaves alone groups it did not make and members it does not link', async () => {
    const m = gw.sims.moodle!.store;
    const { deps, course } = await plan();
    const [own] = await deps.moodle.groups.createGroups([
      { courseid: course.id, name: 'Teachers only', idnumber: 'hand-made', description: '' },
    ]);
    const teacher = [...m.enrolments].find((e) => e.courseid === course.id && e.roleid !== 5);
    const ours = [...m.groups.groups.values()].find((g) => g.idnumber.startsWith('scodoc:'))!;
    if (teacher) m.groups.membersOf(ours.id).add(teacher.userid);
    const { plan: p } = await plan(true);
    expect(p.emptyGroupsToDelete.map((g) => g.idnumber)).not.toContain('hand-made');
    expect(p.membersToRemove.map((x) => x.userid)).not.toContain(teacher?.userid);
    expect(m.groups.groups.has(own!.id)).toBe(true);
  });
});
