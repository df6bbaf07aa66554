import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateCourseDocument,
  CreateDepartmentCategoryDocument,
  DepartmentEverywhereDocument,
  SemesterGroupsDocument,
  StudentGroupsDocument,
} from '../src/generated/operations';
import { expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/** ScoDoc groups, programmes and tracks through the graph; mixed-case départements; missing categories. */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ students: 300 });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

describe('groups in the graph', () => {
  it('Semester.groups lists every group of its partitions, with their students; programme and tracks come along', async () => {
    const u = gw.sims.university;
    const semester = u.semesters.find((s) => s.sessionId === 'INFO-BUT-FI-S3-2026')!;
    const partitions = u.partitions.filter((p) => p.formsemestreId === semester.id);
    const groups = u.groups.filter((g) => partitions.some((p) => p.id === g.partitionId));
    const res = await gw.execute(SemesterGroupsDocument, { id: semester.id });
    const got = res.semester!;
    expect(got.programme).toEqual({ acronym: 'BUT INFO', title: 'BUT INFO' });
    expect(got.tracks.length).toBeGreaterThan(0);
    expect(new Set(got.groups!.map((g) => g.partition))).toEqual(new Set(['TD', 'TP', 'Parcours']));
    expect(got.groups!.map((g) => g.id).sort()).toEqual(groups.map((g) => g.id).sort());
    for (const g of got.groups!) {
      const members = u.groupMembers.filter((m) => m.groupId === g.id).map((m) => m.etudid);
      expect(g.students!.map((s) => s.etudid).sort()).toEqual(members.sort());
    }
    // One partitions call for the semester, one students call per group.
    expect(gw.calls()['GET /formsemestre/<id>/partitions']).toBe(1);
    expect(gw.calls()['GET /group/<id>/etudiants']).toBe(groups.length);
  });

  it('Student.groups and SemesterRegistration.groups come from the roster rows, semester by semester', async () => {
    const u = gw.sims.university;
    const semester = u.semesters.find((s) => s.sessionId === 'INFO-BUT-FI-S3-2026')!;
    const member = u.groupMembers.find((m) =>
      u.groups.some(
        (g) =>
          g.id === m.groupId &&
          u.partitions.some((p) => p.id === g.partitionId && p.formsemestreId === semester.id),
      ),
    )!;
    const expected = u.groupMembers
      .filter((m) => m.etudid === member.etudid)
      .map((m) => u.groups.find((g) => g.id === m.groupId)!)
      .filter((g) =>
        u.partitions.some((p) => p.id === g.partitionId && p.formsemestreId === semester.id),
      )
      .map((g) => g.name)
      .sort();
    const res = await gw.execute(StudentGroupsDocument, { etudid: member.etudid });
    const registration = res.student!.registrations!.find(
      (r) => r.semester.formsemestreId === semester.id,
    )!;
    expect(registration.groups.map((g) => g.name).sort()).toEqual(expected);
    expect(registration.groups.map((g) => g.partition)).toContain('TD');
    const latest = res.student!.registrations!.at(-1)!;
    expect(res.student!.groups).toEqual(latest.groups);
  });
});

describe('départements whose acronym is mixed case', () => {
  it('are found case-insensitively, and ScoDoc is asked with its own spelling', async () => {
    const data = await gw.execute(DepartmentEverywhereDocument, { acronym: 'chimie' });
    expect(gw.calls()['GET /departement/<acronym>/etudiants']).toBe(1);
    expect(data.department!.acronym).toBe('Chimie');
    expect(data.department!.moodleCategoryId).not.toBeNull();
    expect(data.students!.totalCount).toBe(
      gw.sims.university.students.filter((s) => s.deptId === 6).length,
    );
    expect(data.semesters!.length).toBeGreaterThan(0);
    expect(data.semesters!.every((s) => s.sessionId!.startsWith('CHIMIE-'))).toBe(true);
  });
});

describe('createDepartmentCategory', () => {
  it('gives a département without a Moodle category one; a missing category names the fix', async () => {
    // CJ exists in ScoDoc only (hidden, no category in the demo data).
    const without = await gw.execute(CreateCourseDocument, {
      input: { shortName: 'CJ-1', fullName: 'CJ 1', department: 'CJ' },
    });
    expectTypename(without.createCourse, 'NotFoundError');
    expect(without.createCourse.message).toContain('createDepartmentCategory');
    expect(without.createCourse.message).toContain('LINK_DEPARTMENT_BY=name');

    const created = await gw.execute(CreateDepartmentCategoryDocument, { acronym: 'cj' });
    expectTypename(created.createDepartmentCategory, 'CreateDepartmentCategorySuccess');
    const id = created.createDepartmentCategory.moodleCategoryId;
    expect(created.createDepartmentCategory.department).toEqual({
      acronym: 'CJ',
      moodleCategoryId: id,
    });
    expect([...gw.sims.moodle!.store.categories.values()].find((c) => c.id === id)).toMatchObject({
      idnumber: 'CJ',
    });
    const again = await gw.execute(CreateDepartmentCategoryDocument, { acronym: 'CJ' });
    expect(again.createDepartmentCategory).toMatchObject({ __typename: 'ConflictError' });
    const unknown = await gw.execute(CreateDepartmentCategoryDocument, { acronym: 'NOPE' });
    expect(unknown.createDepartmentCategory).toMatchObject({
      __typename: 'NotFoundError',
      what: 'department',
    });
    const course = await gw.execute(CreateCourseDocument, {
      input: { shortName: 'CJ-1', fullName: 'CJ 1', department: 'CJ' },
    });
    expectTypename(course.createCourse, 'CreateCourseSuccess');
  });
});
