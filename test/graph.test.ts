import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CourseDetailDocument,
  CoursesDocument,
  DepartmentRosterDocument,
  DepartmentsDocument,
  NodeDocument,
  SemestersDocument,
  SemesterWithCourseDocument,
  StudentByNipDocument,
} from '../src/generated/operations';
import type { DemoStudent } from '../src/simulators/demo-data/types';
import { startTestGateway, type TestGateway } from './support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  // No retries and no breaker here: these tests inject faults call by call to pin down where errors land.
  // The policies themselves are exercised by the fault matrix (test/resilience.test.ts).
  // No list cache either: each test counts the calls of one request, from cold.
  gw = await startTestGateway({
    students: 300,
    resilience: { retries: 0, breakerThreshold: 1_000 },
    listCacheTtlMs: 0,
  });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

const u = () => gw.sims.university;
const student = (pred: (s: DemoStudent) => boolean) => u().students.find(pred)!;
const sessionCourse = (sessionId: string) =>
  [...gw.sims.moodle!.store.courses.values()].find((c) => c.idnumber === sessionId)!;

describe('query roots', () => {
  it('departments come from ScoDoc, with their linked Moodle category', async () => {
    const res = await gw.query(DepartmentsDocument, {});
    expect(res.errors).toBeUndefined();
    expect(res.data!.departments!.map((d) => d.acronym)).toEqual([
      'INFO',
      'GEII',
      'RT',
      'MMI',
      'Chimie',
    ]);
    expect(res.data!.departments!.every((d) => typeof d.moodleCategoryId === 'number')).toBe(true);
    const all = await gw.query(DepartmentsDocument, { includeHidden: true });
    // A hidden département with no Moodle category: visible false, category null.
    expect(all.data!.departments!.find((d) => d.acronym === 'CJ')).toMatchObject({
      visible: false,
      moodleCategoryId: null,
    });
  });

  it('department(acronym) is case-insensitive and null when unknown', async () => {
    const res = await gw.query(
      '{ a: department(acronym: "geii") { acronym name } b: department(acronym: "NOPE") { acronym } }',
    );
    expect(res.data).toEqual({
      a: { acronym: 'GEII', name: 'Génie électrique et informatique industrielle' },
      b: null,
    });
  });

  it('student by nip, ine or etudid, and a clear error for none or several', async () => {
    const s = student((x) => x.moodle === 'active' && x.moodleIdnumber === x.nip);
    const byNip = await gw.query(StudentByNipDocument, { nip: s.nip! });
    expect(byNip.data!.student).toMatchObject({
      etudid: s.etudid,
      nip: s.nip,
      lastName: s.nom,
      email: s.email,
      moodleAccount: { idnumber: s.nip },
    });
    const other = await gw.query(
      `{ a: student(ine: "${s.ine}") { etudid } b: student(etudid: ${s.etudid}) { etudid } c: student(nip: "nobody") { etudid } }`,
    );
    expect(other.data).toEqual({ a: { etudid: s.etudid }, b: { etudid: s.etudid }, c: null });
    const bad = await gw.query(`{ student(nip: "1", etudid: 2) { etudid } }`);
    expect(bad.errors?.[0]).toMatchObject({
      message: 'Give exactly one of nip, ine, etudid.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('students(department) pages with stable cursors, and search filters', async () => {
    // This one is about the list cache: a gateway that keeps lists.
    const gw = await startTestGateway({ students: 300 });
    try {
      const all = gw.sims.university.students.filter((s) => s.deptId === 3);
      const seen: number[] = [];
      let after: string | null | undefined;
      for (let page = 0; page < 10; page += 1) {
        const res = await gw.query(
          `query($after: String) { students(department: "RT", first: 25, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { etudid } } } }`,
          { after },
        );
        const conn = (
          res.data as {
            students: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string };
              edges: Array<{ node: { etudid: number } }>;
            };
          }
        ).students;
        expect(conn.totalCount).toBe(all.length);
        seen.push(...conn.edges.map((e) => e.node.etudid));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(all.length);
      expect(new Set(seen).size).toBe(all.length);
      // The whole list was fetched once, then paged from the gateway's list cache.
      expect(gw.calls()['GET /departement/<acronym>/etudiants']).toBe(1);

      const target = all[7]!;
      const found = await gw.query(
        `{ students(department: "RT", search: "${target.nip}") { edges { node { etudid } } } }`,
      );
      expect(found.data).toEqual({ students: { edges: [{ node: { etudid: target.etudid } }] } });
      gw.resetCalls();
      const emails = await gw.query(
        `{ students(department: "RT", first: 3) { edges { node { etudid email } } } }`,
      );
      const rows = (
        emails.data as { students: { edges: Array<{ node: { etudid: number; email: string } }> } }
      ).students.edges;
      for (const { node } of rows)
        expect(node.email).toBe(all.find((s) => s.etudid === node.etudid)!.email);
      // ScoDoc lists carry no e-mail: one détail call per student asked for it.
      expect(gw.calls()['GET /etudiant/etudid/<etudid>']).toBe(3);
      const badCursor = await gw.query(
        `{ students(department: "RT", after: "garbage") { totalCount } }`,
      );
      expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await gw.close();
    }
  });

  it('semester, semesters(department, year, current) and the linked course', async () => {
    const sem = u().semesters.find((s) => s.sessionId === 'INFO-BUT-FI-S1-2026')!;
    const res = await gw.query(SemesterWithCourseDocument, { id: sem.id, state: 'REGISTERED' });
    const data = res.data!.semester!;
    expect(data).toMatchObject({
      formsemestreId: sem.id,
      sessionId: sem.sessionId,
      current: true,
      department: { acronym: 'INFO' },
    });
    const registered = u().registrations.filter(
      (r) => r.formsemestreId === sem.id && r.etat === 'I',
    ).length;
    expect(data.students).toHaveLength(registered);
    expect(data.course!.shortName).toBe(sem.sessionId);
    expect(data.course!.enrolments!.totalCount).toBeGreaterThan(0);

    const current = await gw.query(SemestersDocument, { department: 'INFO', current: true });
    expect(current.data!.semesters!.map((s) => s.sessionId).sort()).toEqual([
      'INFO-BUT-FA-S5-2026',
      'INFO-BUT-FI-S1-2026',
      'INFO-BUT-FI-S3-2026',
      'INFO-BUT-FI-S5-2026',
    ]);
    const year = await gw.query(SemestersDocument, { department: 'GEII', year: 2025 });
    expect(
      year.data!.semesters!.every(
        (s) => s.sessionId!.startsWith('GEII-') && s.sessionId!.endsWith('-2025'),
      ),
    ).toBe(true);
    expect((await gw.query('{ semester(id: 999999) { title } }')).data).toEqual({ semester: null });
  });

  it('course and courses: département through the category, semester through the idnumber', async () => {
    const c = sessionCourse('GEII-BUT-FI-S3-2026');
    const res = await gw.query(CourseDetailDocument, { id: c.id, first: 5 });
    expect(res.data!.course).toMatchObject({
      moodleId: c.id,
      shortName: c.shortname,
      department: { acronym: 'GEII' },
      semester: { sessionId: 'GEII-BUT-FI-S3-2026' },
    });
    expect(res.data!.course!.enrolments!.edges).toHaveLength(5);
    expect(res.data!.course!.enrolments!.pageInfo.hasNextPage).toBe(true);
    const next = await gw.query(CourseDetailDocument, {
      id: c.id,
      first: 5,
      after: res.data!.course!.enrolments!.pageInfo.endCursor,
    });
    const ids = (r: typeof res) => r.data!.course!.enrolments!.edges.map((e) => e.node.account.id);
    expect(ids(next).some((id) => ids(res).includes(id))).toBe(false);
    expect((await gw.query('{ course(id: 999999) { shortName } }')).data).toEqual({ course: null });

    const list = await gw.query(CoursesDocument, { department: 'MMI', first: 50 });
    expect(list.data!.courses!.edges.every((e) => e.node.shortName.startsWith('MMI-'))).toBe(true);
    const search = await gw.query(CoursesDocument, { search: 'anglais' });
    expect(search.data!.courses!.edges.map((e) => e.node.shortName)).toEqual([
      'ANGLAIS-TRANSVERSAL',
    ]);
  });

  it('node(id) refetches any object by its global id', async () => {
    const ids = await gw.query(
      '{ department(acronym: "INFO") { id semesters(current: true) { id } } courses(first: 1) { edges { node { id } } } }',
    );
    const d = ids.data as {
      department: { id: string; semesters: Array<{ id: string }> };
      courses: { edges: Array<{ node: { id: string } }> };
    };
    for (const id of [
      d.department.id,
      d.department.semesters[0]!.id,
      d.courses.edges[0]!.node.id,
    ]) {
      const res = await gw.query(NodeDocument, { id });
      expect(res.data!.node!.id).toBe(id);
    }
    const s = u().students[0]!;
    const sid = Buffer.from(`Student:${s.etudid}`).toString('base64');
    expect((await gw.query(NodeDocument, { id: sid })).data!.node).toMatchObject({
      __typename: 'Student',
      etudid: s.etudid,
    });
  });
});

describe('linking edge cases', () => {
  it('a student with no Moodle account: moodleAccount null, no enrolments', async () => {
    const s = student((x) => x.moodle === 'none');
    const res = await gw.query(StudentByNipDocument, { nip: s.nip! });
    expect(res.data!.student).toMatchObject({
      etudid: s.etudid,
      moodleAccount: null,
      enrolments: [],
    });
  });

  it('a soft-deleted Moodle user is never taken for an account', async () => {
    const s = student((x) => x.moodle === 'soft-deleted');
    const res = await gw.query(StudentByNipDocument, { nip: s.nip! });
    expect(res.errors).toBeUndefined();
    expect(res.data!.student).toMatchObject({
      etudid: s.etudid,
      moodleAccount: null,
      enrolments: [],
    });
  });

  it('noisy idnumbers (" NIP ", "NIP.0") still link', async () => {
    for (const noisy of [
      (x: DemoStudent) => x.moodleIdnumber === `${x.nip}.0`,
      (x: DemoStudent) => x.moodleIdnumber === ` ${x.nip} `,
    ]) {
      const s = student((x) => noisy(x) && x.moodle === 'active');
      const res = await gw.query(StudentByNipDocument, { nip: ` ${s.nip}.0 ` });
      expect(res.data!.student!.moodleAccount).toMatchObject({ idnumber: s.moodleIdnumber });
    }
  });

  it('a NIP in two départements resolves to the most recently created record', async () => {
    const counts = new Map<string, DemoStudent[]>();
    for (const s of u().students) counts.set(s.nip!, [...(counts.get(s.nip!) ?? []), s]);
    const records = [...counts.values()].find((r) => r.length > 1)!;
    const res = await gw.query(StudentByNipDocument, { nip: records[0]!.nip! });
    expect(res.data!.student!.etudid).toBe(Math.max(...records.map((r) => r.etudid)));
    expect(res.data!.student!.department!.acronym).toBe('INFO');
  });

  it('a Moodle account with no ScoDoc student: the enrolment shows the account, student null', async () => {
    const c = sessionCourse('INFO-BUT-FI-S1-2026');
    const res = await gw.query(CourseDetailDocument, { id: c.id, first: 200 });
    const edges = res.data!.course!.enrolments!.edges;
    const teacher = edges.find((e) => e.node.roles!.includes('editingteacher'))!;
    expect(teacher.node.student).toBeNull();
    expect(
      edges.filter((e) => e.node.roles!.includes('student')).every((e) => e.node.student !== null),
    ).toBe(true);
  });

  it('a department with no category has no courses; a course whose idnumber names no semester has none', async () => {
    const cj = await gw.query(
      '{ department(acronym: "CJ") { moodleCategoryId courses { totalCount } } }',
    );
    expect(cj.data).toEqual({ department: { moodleCategoryId: null, courses: { totalCount: 0 } } });
    const archive = [...gw.sims.moodle!.store.courses.values()].find((c) =>
      c.shortname.startsWith('ARCHIVE-'),
    )!;
    const res = await gw.query(CourseDetailDocument, { id: archive.id, first: 1 });
    expect(res.data!.course).toMatchObject({
      shortName: archive.shortname,
      semester: null,
      department: { acronym: 'INFO' },
    });
  });
});

describe('batching: upstream calls per operation', () => {
  it('a roster of 20 with accounts and enrolments: one users-by-field call, no course look-up', async () => {
    const res = await gw.query(DepartmentRosterDocument, { acronym: 'INFO', first: 20 });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.department!.students!.edges.map((e) => e.node);
    expect(nodes).toHaveLength(20);
    const withAccount = nodes.filter((n) => n.moodleAccount).length;
    expect(withAccount).toBeGreaterThan(10);
    const calls = gw.calls();
    expect(calls.core_user_get_users_by_field).toBe(1);
    expect(
      (calls.core_course_get_courses_by_field ?? 0) + (calls.core_course_get_courses ?? 0),
    ).toBeLessThanOrEqual(1);
    // Moodle has no batch form of users' courses: one per linked account.
    expect(calls.core_enrol_get_users_courses).toBe(withAccount);
    expect(calls['GET /departements']).toBe(1);
    expect(calls['GET /departement/<acronym>/etudiants']).toBe(1);
    expect(calls.core_course_get_categories).toBe(1);
  });
});

describe('batching: course pages', () => {
  it("a course page's students come from one semester roster, not one ScoDoc call per account", async () => {
    const c = sessionCourse('MMI-BUT-FI-S1-2026');
    const res = await gw.query(CourseDetailDocument, { id: c.id, first: 30 });
    const students = res.data!.course!.enrolments!.edges.filter((e) => e.node.student);
    expect(students.length).toBeGreaterThan(5);
    const calls = gw.calls();
    // Only accounts missing from the roster (here the teachers, idnumber ENS-…) fall back to a NIP look-up.
    const unlinked = res.data!.course!.enrolments!.edges.filter((e) => !e.node.student).length;
    expect(unlinked).toBe(2);
    expect(calls['GET /etudiants/nip/<nip>']).toBe(unlinked);
    expect(calls['GET /formsemestre/<id>/etudiants']).toBe(1);
    expect(calls.core_enrol_get_enrolled_users).toBe(2); // the page (with roles) and the id-only count
  });
});

describe('upstream failures stay on their fields', () => {
  it('Moodle down: ScoDoc data intact, Moodle fields null with located UPSTREAM_UNAVAILABLE errors', async () => {
    gw.sims.moodle!.setFaults({ down: true });
    const res = await gw.query(DepartmentRosterDocument, { acronym: 'MMI', first: 3 });
    expect(res.status).toBe(200);
    const nodes = res.data!.department!.students!.edges.map((e) => e.node);
    expect(nodes).toHaveLength(3);
    expect(
      nodes.every((n) => n.lastName && n.moodleAccount === null && n.enrolments === null),
    ).toBe(true);
    expect(res.data!.department!.moodleCategoryId).toBeNull();
    const errors = res.errors!;
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors)
      expect(e.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'moodle' });
    expect(
      errors.some(
        (e) =>
          JSON.stringify(e.path) ===
          JSON.stringify(['department', 'students', 'edges', 0, 'node', 'moodleAccount']),
      ),
    ).toBe(true);
    expect(JSON.stringify(res)).not.toContain(gw.sims.moodle!.url);
  });

  it('one failed call nulls only its own item: siblings resolve, the error is located on that item', async () => {
    // Every second Moodle request fails: the users look-up (1st) passes, then users' courses alternate.
    gw.sims.moodle!.setFaults({ errorRate: 0.5 });
    const res = await gw.query(
      '{ department(acronym: "INFO") { students(first: 10) { edges { node { etudid moodleAccount { id } enrolments { course { shortName } } } } } } }',
    );
    const nodes = (
      res.data as {
        department: {
          students: {
            edges: Array<{ node: { moodleAccount: unknown; enrolments: unknown[] | null } }>;
          };
        };
      }
    ).department.students.edges.map((e) => e.node);
    const linked = nodes.filter((n) => n.moodleAccount);
    const failed = linked.filter((n) => n.enrolments === null);
    expect(failed.length).toBeGreaterThan(0);
    expect(linked.length - failed.length).toBeGreaterThan(0);
    expect(res.errors).toHaveLength(failed.length);
    for (const e of res.errors!) {
      expect(e.path?.at(-1)).toBe('enrolments');
      expect(e.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'moodle' });
    }
  });

  it('ScoDoc answering garbage: a located UPSTREAM_UNAVAILABLE, Moodle data intact', async () => {
    const c = sessionCourse('RT-BUT-FI-S1-2026');
    gw.sims.scodoc!.setFaults({ malformed: true });
    const res = await gw.query(`{ departments { acronym } course(id: ${c.id}) { shortName } }`);
    expect(res.data).toEqual({ departments: null, course: { shortName: c.shortname } });
    expect(res.errors![0]).toMatchObject({
      path: ['departments'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'scodoc' },
    });
  });

  it('no upstream detail, URL or secret reaches the client', async () => {
    gw.sims.scodoc!.setFaults({ errorRate: 1 });
    const res = await gw.query(StudentByNipDocument, { nip: u().students[0]!.nip! });
    const text = JSON.stringify(res);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('demo-moodle-token');
    expect(res.errors![0]!.message).toMatch(
      /^ScoDoc GET \/etudiants\/nip\/<nip>: answered HTTP 500$/,
    );
  });
});
