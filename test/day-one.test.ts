import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CourseDetailDocument,
  CreateCourseDocument,
  CreateDepartmentDocument,
  CreateMoodleAccountDocument,
  EnrolDocument,
  SyncSemesterDocument,
} from '../src/generated/operations';
import { normalizeNip } from '../src/domain/linking';
import { GATEWAY_FUNCTIONS } from '../src/upstreams/moodle/schemas';
import type { DemoStudent } from '../src/simulators/demo-data/types';
import { expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * What a university trying Campus Graph first does, on a Moodle simulator that behaves like a stock
 * Moodle 5.0.6 (auth plugins of a stock site, standard role ids, no enrolment to learn ids from in a new
 * category) and with the default settings: every step must work, and a wrong setting must name itself.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    students: 300,
    resilience: { retries: 0, breakerThreshold: 1_000 },
  });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

const withoutAccount = (g: TestGateway, skip = 0) =>
  g.sims.university.students.filter((s: DemoStudent) => s.moodle === 'none' && s.nip && s.email)[
    skip
  ]!;

/** A new département (ScoDoc + its Moodle category) and a course in it: a category no role can be learnt in. */
async function freshCourse(g: TestGateway, acronym: string): Promise<number> {
  const dept = await g.execute(CreateDepartmentDocument, { input: { acronym } });
  expectTypename(dept.createDepartment, 'CreateDepartmentSuccess');
  const course = await g.execute(CreateCourseDocument, {
    input: { shortName: `${acronym}-S1`, fullName: `${acronym} semestre 1`, department: acronym },
  });
  expectTypename(course.createCourse, 'CreateCourseSuccess');
  return course.createCourse.course.moodleId;
}

describe('day one with default settings', () => {
  it('creates an account (manual, Moodle e-mails the password), a course, enrols the student into the fresh course and reads the role back', async () => {
    const s = withoutAccount(gw);
    const account = await gw.execute(CreateMoodleAccountDocument, { nip: s.nip! });
    expectTypename(account.createMoodleAccount, 'CreateMoodleAccountSuccess');
    const user = gw.sims.moodle!.store.users.get(account.createMoodleAccount.account.id)!;
    expect(user.auth).toBe('manual');

    const courseId = await freshCourse(gw, 'DAYONE');
    gw.resetCalls();
    const enrolled = await gw.execute(EnrolDocument, { input: { courseId, nips: [s.nip!] } });
    expectTypename(enrolled.enrol, 'EnrolSuccess');
    expect(enrolled.enrol).toMatchObject({ enrolledCount: 1, failures: [] });
    // Nobody in the course or its category holds a role: the standard id was used, then read back once.
    expect(gw.calls()['enrol_manual_enrol_users']).toBe(1);
    expect(gw.calls()['core_enrol_get_enrolled_users']).toBe(2);

    const detail = await gw.execute(CourseDetailDocument, { id: courseId });
    expect(detail.course!.enrolments!.edges.map((e) => e.node)).toEqual([
      {
        roles: ['student'],
        account: { id: user.id, username: user.username },
        student: { nip: s.nip, lastName: s.nom },
      },
    ]);
  });

  it('a role id that is another role on this site is refused, undone, and names MOODLE_ROLE_IDS', async () => {
    const g = await startTestGateway({
      students: 120,
      resilience: { retries: 0, breakerThreshold: 1_000 },
    });
    try {
      // A site whose roles were renumbered: 5 is "teacher" here, "student" is 9.
      const roles = g.sims.moodle!.store.roles;
      roles.find((r) => r.shortname === 'student')!.id = 9;
      roles.find((r) => r.shortname === 'teacher')!.id = 5;
      const s = withoutAccount(g);
      expectTypename(
        (await g.execute(CreateMoodleAccountDocument, { nip: s.nip! })).createMoodleAccount,
        'CreateMoodleAccountSuccess',
      );
      const courseId = await freshCourse(g, 'RENUM');
      const result = await g.execute(EnrolDocument, { input: { courseId, nips: [s.nip!] } });
      expect(result.enrol).toMatchObject({
        __typename: 'ConflictError',
        message: expect.stringContaining('MOODLE_ROLE_IDS') as unknown,
      });
      expect(result.enrol).toMatchObject({
        message: expect.stringContaining('"teacher"') as unknown,
      });
      expect(g.sims.moodle!.store.enrolments.filter((e) => e.courseid === courseId)).toEqual([]);
    } finally {
      await g.close();
    }
  });
});

describe('MOODLE_AUTH names itself when the site lacks the plugin', () => {
  let cas: TestGateway;
  beforeAll(async () => {
    cas = await startTestGateway({
      students: 150,
      accounts: { usernameRule: 'nip', auth: 'cas' },
      resilience: { retries: 0, breakerThreshold: 1_000 },
    });
  });
  afterAll(() => cas.close());

  it('createMoodleAccount answers an UpstreamError that names MOODLE_AUTH and the value; the log line has the debuginfo', async () => {
    const s = withoutAccount(cas);
    const r = await cas.execute(CreateMoodleAccountDocument, { nip: s.nip! });
    expectTypename(r.createMoodleAccount, 'UpstreamError');
    expect(r.createMoodleAccount.message).toContain('MOODLE_AUTH');
    expect(r.createMoodleAccount.message).toContain('"cas"');
    expect(r.createMoodleAccount.message).not.toContain('expecting');
    const audit = cas.logLines.filter((l) => l.includes('"audit"')).at(-1)!;
    expect(audit).toContain('the server was expecting \\"auth\\" type');
  });

  it('a sync does not split a batch the configuration refuses: one create call, one report line with the fix', async () => {
    const semester = cas.sims.university.semesters.find(
      (x) => x.sessionId === 'INFO-BUT-FI-S1-2026',
    )!;
    cas.resetCalls();
    const r = await cas.execute(SyncSemesterDocument, {
      input: { semesterId: semester.id, dryRun: false },
    });
    expectTypename(r.syncSemester, 'SyncSemesterSuccess');
    const { report } = r.syncSemester;
    expect(report.accountsToCreate).toBeGreaterThan(1);
    expect(report.accountsCreated).toBe(0);
    // The step stops once, with its reason and how many students it left out, not a line per student.
    const refused = report.failures.filter((f) => f.step === 'createAccount');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.message).toContain('MOODLE_AUTH');
    expect(refused[0]!.message).toContain(`${report.accountsToCreate} student(s) not handled`);
    expect(cas.calls()['core_user_create_users']).toBe(1);
  });
});

describe('leavers through one ScoDoc state per call', () => {
  it('a dry run with leavers SUSPEND finds the D and DEF students that are still actively enrolled', async () => {
    const u = gw.sims.university;
    const store = gw.sims.moodle!.store;
    // The current semester with the most leavers still actively enrolled in its course.
    const candidates = u.semesters
      .filter((s) => s.hasMoodleCourse && s.dateDebut <= '2026-11-23' && '2026-11-23' <= s.dateFin)
      .map((semester) => {
        const course = [...store.courses.values()].find((c) => c.idnumber === semester.sessionId)!;
        const leavers = u.registrations
          .filter((r) => r.formsemestreId === semester.id && (r.etat === 'D' || r.etat === 'DEF'))
          .map((r) => u.students.find((s) => s.etudid === r.etudid)!)
          .filter((s) => {
            const users = [...store.users.values()].filter(
              (x) => !x.deleted && normalizeNip(x.idnumber) === normalizeNip(s.nip),
            );
            return (
              users.length === 1 &&
              !users[0]!.suspended &&
              store.enrolments.some(
                (e) => e.courseid === course.id && e.userid === users[0]!.id && !e.suspended,
              )
            );
          });
        return { semester, leavers };
      })
      .sort((a, b) => b.leavers.length - a.leavers.length);
    const { semester, leavers } = candidates[0]!;
    expect(leavers.length).toBeGreaterThan(0);

    gw.resetCalls();
    const r = await gw.execute(SyncSemesterDocument, {
      input: { semesterId: semester.id, leavers: 'SUSPEND' },
    });
    expectTypename(r.syncSemester, 'SyncSemesterSuccess');
    expect(r.syncSemester.report).toMatchObject({
      dryRun: true,
      enrolmentsToRemove: leavers.length,
    });
    // I, D and DEF each asked alone; nothing written.
    expect(gw.calls()['GET /formsemestre/<id>/etudiants/query']).toBe(2);
    expect(gw.calls()['GET /formsemestre/<id>/etudiants/long/query']).toBe(1);
    expect(Object.keys(gw.calls()).filter((k) => /create|enrol_manual|delete/.test(k))).toEqual([]);
  });
});

describe('self-check', () => {
  it('/ready names a function the token’s service lacks, with the Moodle release', async () => {
    const g = await startTestGateway({ students: 60 });
    try {
      const store = g.sims.moodle!.store;
      // A service set up without core_course_delete_courses.
      store.serviceFunctions = new Set(
        GATEWAY_FUNCTIONS.filter((f) => f !== 'core_course_delete_courses'),
      );
      const res = await fetch(`${g.url}/ready`);
      const body = (await res.json()) as {
        ready: boolean;
        upstreams: {
          moodle: { release: string; missingFunctions: string[]; problems: string[] };
          scodoc: { unsupportedRoutes: string[]; problems: string[] };
        };
      };
      expect(body.ready).toBe(true);
      expect(body.upstreams.moodle.release).toBe('5.0.6+ (Build: 20260403)');
      expect(body.upstreams.moodle.missingFunctions).toEqual(['core_course_delete_courses']);
      expect(body.upstreams.moodle.problems).toEqual([
        expect.stringContaining('lacks core_course_delete_courses') as unknown,
      ]);
      expect(body.upstreams.scodoc).toMatchObject({ unsupportedRoutes: [], problems: [] });
    } finally {
      await g.close();
    }
  });

  it('detects the capabilities whose absence makes look-ups answer nothing', async () => {
    const g = await startTestGateway({ students: 60 });
    try {
      g.sims.moodle!.store.withoutCapabilities.add('moodle/user:viewalldetails');
      g.sims.moodle!.store.withoutCapabilities.add('moodle/site:viewuseridentity');
      const { moodle } = await g.gateway.selfCheck();
      expect(moodle.problems).toEqual([
        expect.stringContaining('moodle/user:viewalldetails is missing') as unknown,
        expect.stringContaining('moodle/site:viewuseridentity is missing') as unknown,
      ]);
    } finally {
      await g.close();
    }
  });

  it('reports a ScoDoc that withholds e-mails, and the sync says which permission is missing', async () => {
    const g = await startTestGateway({ students: 120 });
    try {
      g.sims.scodoc!.setPersonalData(false);
      const check = await g.gateway.selfCheck();
      expect(check.scodoc.problems).toEqual([
        expect.stringContaining('permission to see personal data') as unknown,
      ]);
      const semester = g.sims.university.semesters.find(
        (x) => x.sessionId === 'INFO-BUT-FI-S1-2026',
      )!;
      const r = await g.execute(SyncSemesterDocument, { input: { semesterId: semester.id } });
      expectTypename(r.syncSemester, 'SyncSemesterSuccess');
      const withheld = r.syncSemester.report.failures.filter((f) =>
        f.message.includes('withheld the e-mail'),
      );
      expect(withheld.length).toBeGreaterThan(0);
      expect(withheld[0]!.message).toContain('permission to see personal data');
    } finally {
      await g.close();
    }
  });
});
