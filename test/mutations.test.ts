import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateCourseDocument,
  CreateDepartmentDocument,
  CreateMoodleAccountDocument,
  CreateStudentDocument,
  DeleteCourseDocument,
  DeleteDepartmentDocument,
  DeleteMoodleAccountDocument,
  EnrolDocument,
  UnenrolDocument,
  type CreateCourseInput,
  type CreateDepartmentInput,
  type CreateStudentInput,
  type EnrolInput,
  type UnenrolInput,
} from '../src/generated/operations';
import type { DemoStudent } from '../src/simulators/demo-data/types';
import { containing, expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  // No retries and no breaker here: these tests inject faults call by call to pin down where errors land.
  // The policies themselves are exercised by the fault matrix (test/resilience.test.ts).
  gw = await startTestGateway({
    students: 300,
    resilience: { retries: 0, breakerThreshold: 1_000 },
  });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

const writes = () =>
  Object.keys(gw.calls()).filter((k) =>
    /^POST \/(?!tokens)|create|delete|update|enrol_manual/.test(k),
  );
const student = (pred: (s: DemoStudent) => boolean) => gw.sims.university.students.find(pred)!;
const moodleStore = () => gw.sims.moodle!.store;
const auditLines = () =>
  gw.logLines
    .filter((l) => l.includes('"audit"'))
    .map((l) => (JSON.parse(l) as { audit: Record<string, unknown> }).audit);

// Each mutation through its typed document (schema/operations/mutations): the result union, typed.
const createDepartment = async (input: CreateDepartmentInput) =>
  (await gw.execute(CreateDepartmentDocument, { input })).createDepartment;
const deleteDepartment = async (acronym: string, categoryOnly?: boolean) =>
  (await gw.execute(DeleteDepartmentDocument, { acronym, categoryOnly })).deleteDepartment;
const createStudent = async (input: CreateStudentInput) =>
  (await gw.execute(CreateStudentDocument, { input })).createStudent;
const createMoodleAccount = async (nip: string) =>
  (await gw.execute(CreateMoodleAccountDocument, { nip })).createMoodleAccount;
const deleteMoodleAccount = async (nip: string) =>
  (await gw.execute(DeleteMoodleAccountDocument, { nip })).deleteMoodleAccount;
const createCourse = async (input: CreateCourseInput) =>
  (await gw.execute(CreateCourseDocument, { input })).createCourse;
const deleteCourse = async (id: number) =>
  (await gw.execute(DeleteCourseDocument, { id })).deleteCourse;
const enrol = async (input: EnrolInput) => (await gw.execute(EnrolDocument, { input })).enrol;
const unenrol = async (input: UnenrolInput) =>
  (await gw.execute(UnenrolDocument, { input })).unenrol;

describe('createDepartment / deleteDepartment', () => {
  it('creates the ScoDoc département and its Moodle category, then deletes both', async () => {
    const created = await createDepartment({ acronym: 'QLIO', name: 'Qualité, logistique' });
    expect(created).toMatchObject({
      __typename: 'CreateDepartmentSuccess',
      department: { acronym: 'QLIO', name: 'Qualité, logistique' },
    });
    expectTypename(created, 'CreateDepartmentSuccess');
    expect(created.department.moodleCategoryId).toBe(created.moodleCategoryId);
    expect(gw.sims.scodoc!.store.deptByAcronym('QLIO')).toBeDefined();
    expect([...moodleStore().categories.values()].some((c) => c.idnumber === 'QLIO')).toBe(true);
    expect(auditLines().at(-1)).toMatchObject({
      mutation: 'createDepartment',
      who: 'anonymous',
      outcome: 'success',
      touched: ['scodoc:departement:QLIO', `moodle:category:${created.moodleCategoryId}`],
    });

    const deleted = await deleteDepartment('QLIO');
    expect(deleted).toEqual({ __typename: 'DeleteDepartmentSuccess', acronym: 'QLIO' });
    expect(gw.sims.scodoc!.store.deptByAcronym('QLIO')).toBeUndefined();
    expect([...moodleStore().categories.values()].some((c) => c.idnumber === 'QLIO')).toBe(false);
  });

  it('bad input is a ValidationError naming the field, and nothing is sent upstream', async () => {
    const r = await createDepartment({ acronym: 'no spaces allowed' });
    expect(r).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION',
      fields: [{ path: ['input', 'acronym'] }],
    });
    expect(gw.calls()).toEqual({});
  });

  it('an existing département or category is a ConflictError, before any write', async () => {
    expect(await createDepartment({ acronym: 'INFO' })).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    moodleStore().addCategory({ name: 'Orphan', idnumber: 'ORPH', description: '', parent: 0 });
    expect(await createDepartment({ acronym: 'ORPH' })).toMatchObject({
      __typename: 'ConflictError',
      message: containing('Moodle already has a category'),
    });
    expect(writes()).toEqual([]);
  });

  it('Moodle failing after ScoDoc succeeded: the département is deleted again, and the answer says so', async () => {
    // Moodle's 1st request (the pre-check) passes, its 2nd (the create) fails.
    gw.sims.moodle!.setFaults({ errorRate: 0.5 });
    const r = await createDepartment({ acronym: 'HSE' });
    expect(r).toMatchObject({
      __typename: 'UpstreamError',
      code: 'UPSTREAM_UNAVAILABLE',
      system: 'moodle',
    });
    expectTypename(r, 'UpstreamError');
    expect(r.message).toContain(
      'nothing was changed: the ScoDoc département HSE was created, then deleted again',
    );
    expect(gw.sims.scodoc!.store.deptByAcronym('HSE')).toBeUndefined();
    expect(auditLines().at(-1)).toMatchObject({
      mutation: 'createDepartment',
      outcome: 'UpstreamError',
      touched: ['scodoc:departement:HSE', 'scodoc:departement-deleted:HSE'],
    });
  });

  it('when the undo fails too, a PartialFailureError says exactly what exists where', async () => {
    await gw.query('{ departments { acronym } }'); // a warm ScoDoc token: the next requests are get, create, delete
    gw.resetCalls();
    gw.sims.moodle!.setFaults({ errorRate: 0.5 });
    gw.sims.scodoc!.setFaults({ errorRate: 1 / 3 });
    const r = await createDepartment({ acronym: 'GMP' });
    expect(r).toMatchObject({
      __typename: 'PartialFailureError',
      code: 'PARTIAL_FAILURE',
      done: ['ScoDoc département GMP exists'],
      compensated: [],
      notDone: ['Moodle category with idnumber GMP'],
    });
    expect(gw.sims.scodoc!.store.deptByAcronym('GMP')).toBeDefined();
  });

  it('deleteDepartment refuses while the category holds courses or the département has students', async () => {
    expect(await deleteDepartment('MMI')).toMatchObject({
      __typename: 'ConflictError',
      message: containing('course(s)'),
    });
    expect(await deleteDepartment('CJ')).toMatchObject({
      __typename: 'ConflictError',
      message: containing('student(s)'),
    });
    expect(await deleteDepartment('NOPE')).toMatchObject({
      __typename: 'NotFoundError',
      what: 'department',
    });
    expect(writes()).toEqual([]);
  });
});

describe('deleteDepartment with categoryOnly (the ScoDoc département is gone)', () => {
  it('deletes the category the link rule finds, only when ScoDoc has no such département and it is empty', async () => {
    const gone = moodleStore().addCategory({
      name: 'Ancien',
      idnumber: 'GONE',
      description: '',
      parent: 0,
    });
    // Without the option, ScoDoc's side is what is looked for: not found.
    expect(await deleteDepartment('GONE')).toMatchObject({
      __typename: 'NotFoundError',
      what: 'department',
    });
    // ScoDoc still has MMI: both sides go together, through deleteDepartment without the option.
    expect(await deleteDepartment('MMI', true)).toMatchObject({
      __typename: 'ConflictError',
      message: containing('ScoDoc still has the département MMI'),
    });
    // A category that still holds a course is refused, as by deleteDepartment.
    const full = moodleStore().addCategory({
      name: 'Plein',
      idnumber: 'FULL',
      description: '',
      parent: 0,
    });
    moodleStore().addCourse({
      shortname: 'FULL-1',
      fullname: 'Full 1',
      idnumber: '',
      categoryid: full.id,
      summary: '',
      format: 'topics',
    });
    expect(await deleteDepartment('FULL', true)).toMatchObject({
      __typename: 'ConflictError',
      message: containing('course(s)'),
    });
    expect(writes()).toEqual([]);

    expect(await deleteDepartment('GONE', true)).toEqual({
      __typename: 'DeleteDepartmentSuccess',
      acronym: 'GONE',
    });
    expect(moodleStore().categories.has(gone.id)).toBe(false);
    expect(moodleStore().categories.has(full.id)).toBe(true);
    expect(auditLines().at(-1)).toMatchObject({
      mutation: 'deleteDepartment',
      input: { acronym: 'GONE', categoryOnly: true },
      outcome: 'success',
      touched: [`moodle:category-deleted:${gone.id}`],
    });
    expect(await deleteDepartment('GONE', true)).toMatchObject({
      __typename: 'NotFoundError',
      what: 'category',
    });
  });
});

describe('createStudent', () => {
  it('creates an étudiant; a taken NIP in the département is a ConflictError; unknown département NotFound', async () => {
    const ok = await createStudent({
      department: 'RT',
      lastName: 'Nouveau',
      firstName: 'Élise',
      civility: 'F',
      nip: '30000001',
      email: 'elise.nouveau@etu.univ-demo.fr',
    });
    expect(ok).toMatchObject({
      __typename: 'CreateStudentSuccess',
      student: { nip: '30000001', lastName: 'NOUVEAU', department: { acronym: 'RT' } },
    });
    expect(
      await createStudent({
        department: 'RT',
        lastName: 'Autre',
        firstName: 'X',
        civility: 'M',
        nip: '30000001',
      }),
    ).toMatchObject({
      __typename: 'ConflictError',
    });
    expect(
      await createStudent({ department: 'ZZ', lastName: 'A', firstName: 'B', civility: 'M' }),
    ).toMatchObject({
      __typename: 'NotFoundError',
      what: 'department',
    });
    const bad = await createStudent({
      department: 'RT',
      lastName: '',
      firstName: 'B',
      civility: 'Q',
      email: 'not-an-email',
    });
    expectTypename(bad, 'ValidationError');
    expect(bad.fields.map((f) => f.path.join('.')).sort()).toEqual([
      'input.civility',
      'input.email',
      'input.lastName',
    ]);
  });
});

describe('createMoodleAccount / deleteMoodleAccount', () => {
  it('creates the account from ScoDoc data (idnumber = NIP, configured auth), then deletes it', async () => {
    const s = student((x) => x.moodle === 'none');
    const nip = s.nip!;
    const r = await createMoodleAccount(nip);
    expect(r).toMatchObject({
      __typename: 'CreateMoodleAccountSuccess',
      account: { username: s.nip, idnumber: s.nip, email: s.email, auth: 'manual' },
      student: { etudid: s.etudid },
    });
    expectTypename(r, 'CreateMoodleAccountSuccess');
    const id = r.account.id;
    expect(await createMoodleAccount(nip)).toMatchObject({
      __typename: 'ConflictError',
      message: containing('already has an account for NIP'),
    });
    const d = await deleteMoodleAccount(nip);
    expect(d).toEqual({ __typename: 'DeleteMoodleAccountSuccess', deletedAccountId: id });
    expect(moodleStore().users.get(id)!.deleted).toBe(true);
    expect(await deleteMoodleAccount(nip)).toMatchObject({
      __typename: 'NotFoundError',
      what: 'account',
    });
  });

  it('refuses a taken e-mail (Moodle would not), an unknown NIP, and a bad NIP', async () => {
    const s = student((x) => x.moodle === 'none' && x.nip !== null);
    moodleStore().addUser({
      username: 'squatter',
      firstname: 'S',
      lastname: 'Q',
      email: s.email,
      idnumber: '',
      auth: 'manual',
    });
    expect(await createMoodleAccount(s.nip!)).toMatchObject({
      __typename: 'ConflictError',
      message: containing('e-mail'),
    });
    expect(await createMoodleAccount('99999999')).toMatchObject({
      __typename: 'NotFoundError',
      what: 'student',
    });
    expect(await createMoodleAccount('../../etc')).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: ['nip'] }],
    });
  });

  it('never deletes a site administrator', async () => {
    const s = student((x) => x.moodle === 'active' && x.moodleIdnumber === x.nip);
    const account = [...moodleStore().users.values()].find((u) => u.idnumber === s.nip)!;
    account.siteAdmin = true;
    try {
      expect(await deleteMoodleAccount(s.nip!)).toMatchObject({
        __typename: 'ForbiddenError',
        code: 'FORBIDDEN',
      });
      expect(account.deleted).toBe(false);
    } finally {
      account.siteAdmin = false;
    }
  });
});

describe('createCourse / deleteCourse', () => {
  it("creates a course for a semester in the département's category, with the session_id link", async () => {
    const sem = gw.sims.university.semesters.find((s) => s.sessionId === 'INFO-BUT-FA-S5-2026')!;
    const r = await createCourse({
      shortName: 'INFO-FA-S5',
      fullName: 'BUT Info S5 alternance',
      department: 'INFO',
      semesterId: sem.id,
    });
    expect(r).toMatchObject({
      __typename: 'CreateCourseSuccess',
      course: {
        idnumber: sem.sessionId,
        startDate: sem.dateDebut,
        department: { acronym: 'INFO' },
        semester: { formsemestreId: sem.id },
      },
    });
    const again = await createCourse({
      shortName: 'OTHER',
      fullName: 'x',
      department: 'INFO',
      semesterId: sem.id,
    });
    expect(again).toMatchObject({
      __typename: 'ConflictError',
      message: containing('idnumber'),
    });
    expect(
      await createCourse({ shortName: 'INFO-FA-S5', fullName: 'x', department: 'INFO' }),
    ).toMatchObject({
      __typename: 'ConflictError',
      message: containing('short name'),
    });
    expect(await createCourse({ shortName: 'X', fullName: 'x', department: 'CJ' })).toMatchObject({
      __typename: 'NotFoundError',
      what: 'category',
    });
    expect(
      await createCourse({
        shortName: 'X',
        fullName: 'x',
        department: 'INFO',
        startDate: '2026-09-01',
        endDate: '2026-01-01',
      }),
    ).toMatchObject({ __typename: 'ValidationError', fields: [{ path: ['input', 'endDate'] }] });

    expectTypename(r, 'CreateCourseSuccess');
    const id = r.course.moodleId;
    expect(await deleteCourse(id)).toEqual({
      __typename: 'DeleteCourseSuccess',
      deletedCourseId: id,
    });
    expect(await deleteCourse(id)).toMatchObject({
      __typename: 'NotFoundError',
      what: 'course',
    });
  });
});

describe('enrol / unenrol', () => {
  const course = () =>
    [...moodleStore().courses.values()].find((c) => c.idnumber === 'RT-BUT-FI-S3-2026')!;

  it('enrols many students with a looked-up role; students without an account are reported', async () => {
    const withAccount = gw.sims.university.students
      .filter((s) => s.deptId === 3 && s.moodle === 'active')
      .slice(0, 8)
      .map((s) => s.nip!);
    const without = student((x) => x.moodle === 'none').nip!;
    const r = await enrol({
      courseId: course().id,
      nips: [...withAccount, without],
      role: 'teacher',
    });
    expect(r).toMatchObject({
      __typename: 'EnrolSuccess',
      enrolledCount: 8,
      failures: [{ nip: without, reason: 'NO_ACCOUNT' }],
    });
    const calls = gw.calls();
    expect(calls.core_user_get_users_by_field).toBe(1);
    expect(calls.enrol_manual_enrol_users).toBe(1);
    const teacherRole = 4;
    const ids = [...moodleStore().users.values()]
      .filter((u) => withAccount.includes(u.idnumber))
      .map((u) => u.id);
    expect(
      moodleStore().enrolments.filter(
        (e) => e.courseid === course().id && e.roleid === teacherRole && ids.includes(e.userid),
      ),
    ).toHaveLength(8);

    const u = await unenrol({ courseId: course().id, nips: withAccount });
    expect(u).toMatchObject({ __typename: 'UnenrolSuccess', unenrolledCount: 8, failures: [] });
    expect(
      moodleStore().enrolments.filter((e) => e.courseid === course().id && ids.includes(e.userid)),
    ).toHaveLength(0);
  });

  it('a batch Moodle rejects for one bad item: the item is found by splitting, the rest enrolled', async () => {
    const nips = gw.sims.university.students
      .filter((s) => s.deptId === 4 && s.moodle === 'active' && s.moodleIdnumber === s.nip)
      .slice(0, 16)
      .map((s) => s.nip!);
    // The 6th account is gone in Moodle by the time of the enrolment (deleted, identity not yet scrambled): the
    // look-up still returns it, and Moodle then rejects the whole batch with invaliduser.
    const victim = [...moodleStore().users.values()].find((u) => u.idnumber === nips[5])!;
    victim.deleted = true;
    try {
      const r = await enrol({ courseId: course().id, nips });
      expect(r).toMatchObject({
        __typename: 'EnrolSuccess',
        enrolledCount: 15,
        failures: [{ nip: nips[5], reason: 'REJECTED', message: containing('Invalid user') }],
      });
      // One rejected call of 16, then halves: 16 → 8+8 → 4+4 → 2+2 → 1+1: 9 calls, not 16.
      expect(gw.calls().enrol_manual_enrol_users).toBe(9);
      const enrolled = new Set(
        moodleStore()
          .enrolments.filter((e) => e.courseid === course().id)
          .map((e) => e.userid),
      );
      const others = [...moodleStore().users.values()].filter(
        (u) => nips.includes(u.idnumber) && u.id !== victim.id,
      );
      expect(others.every((u) => enrolled.has(u.id))).toBe(true);
    } finally {
      victim.deleted = false;
    }
  });

  it('validates before sending: empty list, too many NIPs, bad role, unknown course or role', async () => {
    expect(await enrol({ courseId: 1, nips: [] })).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: ['input', 'nips'] }],
    });
    expect(
      await enrol({
        courseId: course().id,
        nips: Array.from({ length: 2001 }, (_, i) => String(i)),
      }),
    ).toMatchObject({ __typename: 'ValidationError' });
    expect(await enrol({ courseId: course().id, nips: ['1'], role: 'Super Admin' })).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: ['input', 'role'] }],
    });
    expect(writes()).toEqual([]);
    expect(await enrol({ courseId: 999999, nips: ['1'] })).toMatchObject({
      __typename: 'NotFoundError',
      what: 'course',
    });
    expect(
      await enrol({ courseId: course().id, nips: ['1'], role: 'coursecreator' }),
    ).toMatchObject({
      __typename: 'NotFoundError',
      what: 'role',
    });
  });
});
