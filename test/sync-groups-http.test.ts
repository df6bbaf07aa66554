import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNip } from '../src/domain/linking';
import { SyncSemesterDocument } from '../src/generated/operations';
import { expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * The groups step through the `syncSemester` mutation, against both simulators: the dry run's diff, the
 * apply, the no-op re-apply, a moved student, an interrupted apply and SKIP. Calls are counted, never timed.
 */
const SESSION = 'INFO-BUT-FI-S1-2026';
let gw: TestGateway;
let semesterId: number;
let courseId: number;
beforeAll(async () => {
  // A short timeout and no retries, so a lost answer is lost (the interrupted-apply test).
  gw = await startTestGateway({
    students: 200,
    timeoutMs: 400,
    resilience: { retries: 0, breakerThreshold: 1_000 },
  });
  const semester = gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!;
  semesterId = semester.id;
  courseId = [...gw.sims.moodle!.store.courses.values()].find((c) => c.idnumber === SESSION)!.id;
});
afterAll(() => gw.close());

async function sync(input: { dryRun: boolean; groups?: 'SYNC' | 'SKIP' }) {
  const { syncSemester: r } = await gw.execute(SyncSemesterDocument, {
    input: { semesterId, leavers: 'KEEP', ...input },
  });
  expectTypename(r, 'SyncSemesterSuccess');
  return r.report;
}

const groupCalls = () =>
  Object.fromEntries(Object.entries(gw.calls()).filter(([k]) => k.startsWith('core_group_')));
const groupWrites = () =>
  Object.fromEntries(
    Object.entries(groupCalls()).filter(([k]) => /create|add|delete|assign|update/.test(k)),
  );

/** ScoDoc's side: idnumber → sorted NIPs of the registered students of each named-partition group. */
function scodocGroups(): Map<string, string[]> {
  const store = gw.sims.scodoc!.store;
  const u = gw.sims.university;
  const registered = new Set(
    u.registrations
      .filter((r) => r.formsemestreId === semesterId && r.etat === 'I')
      .map((r) => r.etudid),
  );
  const out = new Map<string, string[]>();
  for (const p of store.partitionsOf(semesterId).filter((p) => p.partition_name))
    for (const g of store.groupsOf(p.id))
      out.set(
        `scodoc:${g.id}`,
        [...g.etudids]
          .filter((e) => registered.has(e))
          .map((e) => normalizeNip(u.students.find((s) => s.etudid === e)!.nip)!)
          .sort(),
      );
  return out;
}

/** Moodle's side: idnumber → sorted member NIPs, and how many groups carry each idnumber. */
function moodleGroups() {
  const m = gw.sims.moodle!.store;
  const members = new Map<string, string[]>();
  const count = new Map<string, number>();
  for (const g of m.groups.groups.values())
    if (g.courseid === courseId) {
      count.set(g.idnumber, (count.get(g.idnumber) ?? 0) + 1);
      members.set(
        g.idnumber,
        [...m.groups.membersOf(g.id)].map((u) => normalizeNip(m.users.get(u)!.idnumber)!).sort(),
      );
    }
  return { members, count };
}

describe('groups step through syncSemester', () => {
  it('groups: SKIP calls no group function, dry run or apply', async () => {
    gw.resetCalls();
    const dry = await sync({ dryRun: true, groups: 'SKIP' });
    expect(dry.groups).toBeNull();
    // The accounts and enrolments, so that later runs have only groups left to do.
    const applied = await sync({ dryRun: false, groups: 'SKIP' });
    expect(applied.groups).toBeNull();
    expect(groupCalls()).toEqual({});
  });

  it('a dry run lists exactly the groups and members to make, and writes nothing', async () => {
    gw.resetCalls();
    const report = await sync({ dryRun: true });
    const left = new Set(report.failures.map((f) => f.nip));
    const wanted = [...scodocGroups()]
      .map(([id, nips]) => [id, nips.filter((n) => !left.has(n))] as const)
      .filter(([, nips]) => nips.length > 0);
    expect(wanted.length).toBeGreaterThan(1);
    const changes = report.groups!.changes.map((c) => [c.idnumber, c.action, [...c.add].sort()]);
    expect(changes).toEqual(
      wanted
        .map(([id, nips]) => [id, 'CREATE', nips])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(report.groups).toMatchObject({
      groupsToCreate: wanted.length,
      groupsCreated: 0,
      membersToAdd: wanted.reduce((n, [, nips]) => n + nips.length, 0),
      membersToRemove: 0,
      groupsToRename: 0,
    });
    expect(report.groups!.groupingsToCreate).toBeGreaterThan(0);
    expect(groupWrites()).toEqual({});
    // Reads: course groups and groupings, once each (no group of ours yet: no member read).
    expect(groupCalls()).toEqual({
      core_group_get_course_groups: 1,
      core_group_get_course_groupings: 1,
    });
  });

  it('applies in one request per kind of write, and a second apply makes no group write', async () => {
    const dry = await sync({ dryRun: true });
    gw.resetCalls();
    const report = await sync({ dryRun: false });
    const g = report.groups!;
    expect(g.groupsCreated).toBe(dry.groups!.groupsToCreate);
    expect(g.groupingsCreated).toBe(dry.groups!.groupingsToCreate);
    expect(g.membersAdded).toBe(dry.groups!.membersToAdd);
    expect(report.failures.filter((f) => f.step === 'groups')).toEqual([]);
    expect(groupWrites()).toEqual({
      core_group_create_groupings: 1,
      core_group_create_groups: 1,
      core_group_assign_grouping: 1,
      core_group_add_group_members: 1,
    });
    const { members } = moodleGroups();
    for (const c of dry.groups!.changes)
      expect(members.get(c.idnumber), c.idnumber).toEqual([...c.add].sort());

    gw.resetCalls();
    const again = await sync({ dryRun: false });
    expect(again.groups).toMatchObject({
      groupingsToCreate: 0,
      groupsToCreate: 0,
      membersToAdd: 0,
      membersToRemove: 0,
      groupsToDelete: 0,
      changes: [],
    });
    expect(groupWrites()).toEqual({});
  });

  it('a student moved from one TD group to another in ScoDoc is moved in Moodle', async () => {
    const store = gw.sims.scodoc!.store;
    const u = gw.sims.university;
    const td = store.partitionsOf(semesterId).find((p) => store.groupsOf(p.id).length >= 2)!;
    const [a, b] = store.groupsOf(td.id);
    const members = moodleGroups().members.get(`scodoc:${a!.id}`)!;
    const etudid = [...a!.etudids].find((e) =>
      members.includes(normalizeNip(u.students.find((s) => s.etudid === e)!.nip)!),
    )!;
    const nip = normalizeNip(u.students.find((s) => s.etudid === etudid)!.nip)!;
    a!.etudids.delete(etudid);
    b!.etudids.add(etudid);
    const dry = await sync({ dryRun: true });
    expect(dry.groups!.changes.map((c) => [c.idnumber, c.action, c.add, c.remove])).toEqual(
      [
        [`scodoc:${a!.id}`, 'MEMBERS', [], [nip]],
        [`scodoc:${b!.id}`, 'MEMBERS', [nip], []],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    gw.resetCalls();
    const report = await sync({ dryRun: false });
    expect(report.groups).toMatchObject({ membersAdded: 1, membersRemoved: 1 });
    expect(groupWrites()).toEqual({
      core_group_add_group_members: 1,
      core_group_delete_group_members: 1,
    });
    const after = moodleGroups().members;
    expect(after.get(`scodoc:${b!.id}`)).toContain(nip);
    expect(after.get(`scodoc:${a!.id}`)).not.toContain(nip);
  });

  it('a group renamed in ScoDoc is renamed in Moodle, in one call, and only once', async () => {
    const store = gw.sims.scodoc!.store;
    const td = store.partitionsOf(semesterId).find((p) => store.groupsOf(p.id).length >= 2)!;
    const group = store.groupsOf(td.id)[0]!;
    const before = group.group_name;
    group.group_name = `${before} (groupe projet)`;
    const dry = await sync({ dryRun: true });
    expect(dry.groups!.changes.filter((c) => c.action === 'RENAME')).toEqual([
      {
        idnumber: `scodoc:${group.id}`,
        name: `${before} (groupe projet)`,
        action: 'RENAME',
        renamedFrom: before,
        add: [],
        remove: [],
      },
    ]);
    gw.resetCalls();
    const report = await sync({ dryRun: false });
    expect(report.groups).toMatchObject({ groupsToRename: 1, groupsRenamed: 1 });
    expect(groupWrites()).toEqual({ core_group_update_groups: 1 });
    const moodle = [...gw.sims.moodle!.store.groups.groups.values()].find(
      (g) => g.idnumber === `scodoc:${group.id}`,
    )!;
    expect(moodle.name).toBe(`${before} (groupe projet)`);
    gw.resetCalls();
    expect((await sync({ dryRun: false })).groups).toMatchObject({ groupsToRename: 0 });
    expect(groupWrites()).toEqual({});
  });

  it('an interrupted apply converges on re-run, with one group per idnumber', async () => {
    // Start over: the course loses the sync's groups and groupings.
    const m = gw.sims.moodle!;
    for (const g of [...m.store.groups.groups.values()])
      if (g.courseid === courseId) m.store.groups.deleteGroup(g.id);
    for (const g of [...m.store.groups.groupings.values()])
      if (g.courseid === courseId) m.store.groups.deleteGrouping(g.id);
    // Moodle creates the groups but its answer is lost; then the members call meets a 503.
    m.loseAnswers({ wsfunction: 'core_group_create_groups', count: 1, holdMs: 800 });
    m.failCalls({ wsfunction: 'core_group_add_group_members', count: 1 });
    const first = await sync({ dryRun: false });
    m.loseAnswers(null);
    m.failCalls(null);
    // The enrolment steps' report is still there, the groups read back as created, the members not done.
    expect(first.enrolmentsToAdd).toBe(0);
    expect(first.groups!.groupsCreated).toBe(first.groups!.groupsToCreate);
    expect(first.groups!.membersAdded).toBe(0);
    const groupLines = [...first.failures, ...first.unknown].filter((f) => f.step === 'groups');
    expect(groupLines.length).toBeGreaterThan(0);

    gw.resetCalls();
    const second = await sync({ dryRun: false });
    expect(second.groups).toMatchObject({ groupsToCreate: 0, groupingsToCreate: 0 });
    expect(second.groups!.membersAdded).toBe(first.groups!.membersToAdd);
    expect(groupWrites()).toEqual({ core_group_add_group_members: 1 });
    const { members, count } = moodleGroups();
    expect([...count.values()].every((n) => n === 1)).toBe(true);
    for (const [id, nips] of scodocGroups())
      if (nips.length > 0) expect(members.get(id), id).toEqual(nips);
    gw.resetCalls();
    await sync({ dryRun: false });
    expect(groupWrites()).toEqual({});
  });
});
