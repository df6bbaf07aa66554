import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncSemesterDocument } from '../src/generated/operations';
import { expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/** Moodle groups in the graph: Course.groups, MoodleGroup.members and .scodocGroup, Group.moodleGroup. */
const SESSION = 'INFO-BUT-FI-S1-2026';
let gw: TestGateway;
let semesterId: number;
let courseId: number;
beforeAll(async () => {
  gw = await startTestGateway({ students: 120 });
  semesterId = gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;
  // The sync makes the semester's groups in its course (the groups step, on by default).
  const { syncSemester: r } = await gw.execute(SyncSemesterDocument, {
    input: { semesterId, dryRun: false, leavers: 'KEEP' },
  });
  expectTypename(r, 'SyncSemesterSuccess');
  const store = gw.sims.moodle!.store;
  courseId = [...store.courses.values()].find((c) => c.idnumber === SESSION)!.id;
  // And a teacher's own group, which no ScoDoc group is linked to.
  const id = store.groups.nextId('group');
  store.groups.groups.set(id, {
    id,
    courseid: courseId,
    name: 'Projet tutoré',
    description: '',
    descriptionformat: 1,
    enrolmentkey: null,
    idnumber: '',
    visibility: 0,
    participation: true,
  });
});
afterAll(() => gw.close());

/** ScoDoc's named-partition groups of the semester that have registered students: name → member count. */
function scodocGroups() {
  const store = gw.sims.scodoc!.store;
  const registered = new Set(
    gw.sims.university.registrations
      .filter((r) => r.formsemestreId === semesterId && r.etat === 'I')
      .map((r) => r.etudid),
  );
  const out = new Map<number, { name: string; members: number }>();
  for (const p of store.partitionsOf(semesterId).filter((p) => p.partition_name))
    for (const g of store.groupsOf(p.id)) {
      const members = [...g.etudids].filter((e) => registered.has(e)).length;
      if (members > 0) out.set(g.id, { name: g.group_name, members });
    }
  return out;
}

interface CourseGroups {
  course: {
    groups: Array<{
      name: string;
      idnumber: string | null;
      members: Array<{ username: string }> | null;
      scodocGroup: { id: number; name: string } | null;
    }> | null;
  } | null;
}

describe('Moodle groups in the graph', () => {
  it("a course's groups, their members and their ScoDoc group: one call for all members", async () => {
    gw.resetCalls();
    const res = await gw.query<CourseGroups, { id: number }>(
      'query($id: Int!) { course(id: $id) { groups { name idnumber members { username } scodocGroup { id name } } } }',
      { id: courseId },
    );
    expect(res.errors).toBeUndefined();
    const groups = res.data!.course!.groups!;
    const expected = scodocGroups();
    const linked = groups.filter((g) => g.scodocGroup);
    expect(linked.map((g) => g.scodocGroup!.id).sort()).toEqual([...expected.keys()].sort());
    for (const g of linked) {
      expect(g.idnumber).toBe(`scodoc:${g.scodocGroup!.id}`);
      expect(g.name).toBe(expected.get(g.scodocGroup!.id)!.name);
      expect(g.members).toHaveLength(expected.get(g.scodocGroup!.id)!.members);
    }
    // The teacher's own group is listed, tied to no ScoDoc group, and empty.
    expect(groups.find((g) => g.name === 'Projet tutoré')).toMatchObject({
      idnumber: null,
      scodocGroup: null,
      members: [],
    });
    const calls = gw.calls();
    expect(calls.core_group_get_course_groups).toBe(1);
    expect(calls.core_group_get_group_members).toBe(1);
    expect(calls.core_user_get_users_by_field).toBe(1);
  });

  it("a ScoDoc group's Moodle group, from the semester side", async () => {
    gw.resetCalls();
    const res = await gw.query<
      {
        semester: {
          groups: Array<{ id: number; moodleGroup: { idnumber: string | null } | null }> | null;
        } | null;
      },
      { id: number }
    >('query($id: Int!) { semester(id: $id) { groups { id moodleGroup { idnumber } } } }', {
      id: semesterId,
    });
    expect(res.errors).toBeUndefined();
    const groups = res.data!.semester!.groups!;
    const expected = scodocGroups();
    for (const g of groups)
      expect(g.moodleGroup?.idnumber ?? null).toBe(expected.has(g.id) ? `scodoc:${g.id}` : null);
    expect(groups.filter((g) => g.moodleGroup)).toHaveLength(expected.size);
    // One course look-up for the semester, one groups call for the course, whatever the number of groups.
    expect(gw.calls().core_group_get_course_groups).toBe(1);
    expect(gw.calls().core_course_get_courses_by_field).toBe(1);
  });
});
