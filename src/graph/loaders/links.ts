import DataLoader from 'dataloader';
import {
  categoryOfDepartment,
  chooseAccount,
  courseKeyForSemester,
  courseOfSemester,
  departmentOfCategory,
  nipOfUser,
  normalizeNip,
  parseSessionId,
  semesterKeyOfCourse,
  studentUserKey,
  type LinkingRules,
} from '../../domain/linking';
import type {
  CategoryModel,
  CourseModel,
  DepartmentModel,
  EnrolmentModel,
  MoodleAccountModel,
  SemesterModel,
  StudentModel,
} from '../../domain/models';
import type { MoodleLoaders } from './moodle';
import type { ScodocLoaders } from './scodoc';
import { eachKey } from './support';

/**
 * The loaders that cross from one system to the other, by the linking rules of src/domain/linking.ts. They
 * ask only the ScoDoc and Moodle loaders, so whatever those batch or cache serves the links too.
 */
export function createLinkLoaders(
  linking: LinkingRules,
  scodoc: ScodocLoaders,
  moodle: MoodleLoaders,
) {
  const accountOfStudent = new DataLoader<StudentModel, MoodleAccountModel | null, number>(
    (students) =>
      eachKey(students, async (listed) => {
        const s = linking.student === 'email' ? await scodoc.detailsOf(listed) : listed;
        const key = studentUserKey(linking, { code_nip: s.nip, email: s.email });
        if (!key) return null;
        return chooseAccount(await moodle.usersBy[key.field].load(key.value));
      }),
    { cacheKeyFn: (s) => s.etudid },
  );

  const studentOfAccount = new DataLoader<MoodleAccountModel, StudentModel | null, number>(
    (accounts) =>
      eachKey(accounts, async (a) => {
        if (linking.student === 'email') return null; // ScoDoc has no lookup by e-mail: only NIP links back.
        const nip = nipOfUser(linking, a);
        return nip ? scodoc.studentByNip.load(nip) : null;
      }),
    { cacheKeyFn: (a) => a.id },
  );

  /**
   * The student behind an enrolment. When the course is linked to a semester, the student is the record
   * registered in that semester, found in the semester roster: one ScoDoc call for a whole course page instead
   * of one per account (ScoDoc has no batch look-up by NIP). Otherwise the NIP rule of studentOfAccount.
   */
  const studentOfEnrolment = new DataLoader<EnrolmentModel, StudentModel | null, string>(
    (enrolments) =>
      eachKey(enrolments, async (e) => {
        const nip = linking.student === 'email' ? null : nipOfUser(linking, e.account);
        if (!nip) return null;
        const course = e.course ?? (await moodle.courseById.load(e.courseId));
        const semester = course ? await semesterOfCourse.load(course) : null;
        if (semester) {
          const roster = await scodoc.studentsOfSemester.load({
            semesterId: semester.id,
            etat: null,
          });
          const match = roster.find((r) => normalizeNip(r.student.nip) === nip);
          if (match) return match.student;
        }
        return studentOfAccount.load(e.account);
      }),
    { cacheKeyFn: (e) => `${e.courseId}:${e.account.id}` },
  );

  const categoryOfDepartmentLoader = new DataLoader<string, CategoryModel | null>(
    async (acronyms) => {
      const all = await moodle.categories();
      return acronyms.map((a) => categoryOfDepartment(linking, all, a));
    },
    { cacheKeyFn: (a) => a.toUpperCase() },
  );
  const departmentOfCategoryLoader = new DataLoader<number, DepartmentModel | null>(async (ids) => {
    const [cats, depts] = await Promise.all([moodle.categories(), scodoc.departments()]);
    return ids.map((id) => {
      const cat = cats.find((c) => c.id === id);
      return cat ? departmentOfCategory(linking, cat, depts) : null;
    });
  });

  const courseOfSemesterLoader = new DataLoader<string, CourseModel | null>((sessionIds) =>
    eachKey(sessionIds, async (sessionId) =>
      courseOfSemester(await moodle.coursesByKey.load(courseKeyForSemester(linking, sessionId))),
    ),
  );
  const semesterOfCourse = new DataLoader<CourseModel, SemesterModel | null, number>(
    (courses) =>
      eachKey(courses, async (c) => {
        const key = semesterKeyOfCourse(linking, { idnumber: c.idnumber, shortname: c.shortName });
        const parsed = key ? parseSessionId(key) : null;
        if (!key || !parsed) return null;
        const candidates = await scodoc.querySemesters({
          department: parsed.dept,
          year: parsed.year,
        });
        return candidates.find((s) => s.sessionId === key) ?? null;
      }),
    { cacheKeyFn: (c) => c.id },
  );

  /**
   * The enrolments of students' accounts, by the cheaper of two ways, chosen per département for the
   * students asked in one tick: one core_enrol_get_users_courses per account, or one enrolled-users list per
   * course of the département's category (cached, and asked in parallel with the accounts) when the batch
   * has more students than the category has courses. A course list only sees the category's courses: an
   * account found in none of them is asked for by itself (its enrolments may all be elsewhere); an account
   * with enrolments both inside and outside the category shows the inside ones only on this path (about
   * one enrolment in 350 in the demo data).
   */
  const enrolmentsOfStudent = new DataLoader<StudentModel, EnrolmentModel[], number>(
    async (students) => {
      // ScoDoc's short form (lists) has the département's id, not its acronym.
      const byDept = new Map<number | string, StudentModel[]>();
      for (const s of students) {
        const key = s.deptId ?? (s.deptAcronym ?? '').toUpperCase();
        byDept.set(key, [...(byDept.get(key) ?? []), s]);
      }
      const found = new Map<number, EnrolmentModel[] | Error>();
      await Promise.all(
        [...byDept.values()].map(async (group) => {
          for (const [etudid, value] of await enrolmentsOfGroup(group)) found.set(etudid, value);
        }),
      );
      return students.map((s) => found.get(s.etudid) ?? []);
    },
    { cacheKeyFn: (s) => s.etudid },
  );

  async function enrolmentsOfGroup(
    group: StudentModel[],
  ): Promise<Map<number, EnrolmentModel[] | Error>> {
    // Under PER_COURSE_FROM students, one call each is cheaper than any category's course lists.
    const acronym = group.length >= PER_COURSE_FROM ? await acronymOf(group[0]!) : null;
    const courses = acronym ? await coursesOfDepartment(acronym) : null;
    // Per account costs at most one call per student (fewer: some have no account); per course costs the
    // course lists plus one call per account found in none of them. Per course only when clearly cheaper.
    const perCourse = courses !== null && group.length > 2 * (courses.length + 1);
    const [accounts, lists] = await Promise.all([
      Promise.all(group.map((s) => accountOfStudent.load(s).catch((e: unknown) => toError(e)))),
      perCourse
        ? Promise.all(courses.map((c) => moodle.courseEnrolments(c.id)))
        : Promise.resolve(null),
    ]);
    const out = new Map<number, EnrolmentModel[] | Error>();
    await Promise.all(
      group.map(async (s, i) => {
        const account = accounts[i]!;
        if (account instanceof Error || account === null) {
          out.set(s.etudid, account instanceof Error ? account : []);
          return;
        }
        const inCourses = lists
          ? courses!.flatMap((course, j) => {
              const row = lists[j]!.find((r) => r.userId === account.id);
              return row ? [{ courseId: course.id, course, account, roles: row.roles }] : [];
            })
          : [];
        if (inCourses.length > 0) out.set(s.etudid, inCourses);
        else
          out.set(
            s.etudid,
            await moodle.enrolmentsOfAccount.load(account).catch((e: unknown) => toError(e)),
          );
      }),
    );
    return out;
  }

  async function acronymOf(s: StudentModel): Promise<string | null> {
    if (s.deptAcronym) return s.deptAcronym;
    if (s.deptId === null) return null;
    const all = await scodoc.departments().catch(() => []);
    return all.find((d) => d.id === s.deptId)?.acronym ?? null;
  }

  async function coursesOfDepartment(acronym: string): Promise<CourseModel[] | null> {
    const category = await categoryOfDepartmentLoader.load(acronym).catch(() => null);
    return category ? moodle.coursesOfCategory(category.id).catch(() => null) : null;
  }

  /**
   * Starts the Moodle look-up of the account a NIP links to, before ScoDoc has answered for the student: the
   * NIP is all the link rule needs, so both systems are asked in the same round trip. The answer is the one
   * accountOfStudent later reads (same loader key).
   */
  const prefetchAccountOfNip = (nip: string) => {
    const key = studentUserKey(linking, { code_nip: nip });
    if (key && key.field !== 'email')
      void moodle.usersBy[key.field].load(key.value).catch(() => {});
  };

  /** Starts reading a département's courses (category, then its course list: both list-cached). */
  const prefetchCoursesOf = (acronym: string) => void coursesOfDepartment(acronym);

  return {
    enrolmentsOfStudent,
    prefetchCoursesOf,
    prefetchAccountOfNip,
    accountOfStudent,
    studentOfAccount,
    studentOfEnrolment,
    categoryOfDepartment: categoryOfDepartmentLoader,
    departmentOfCategory: departmentOfCategoryLoader,
    courseOfSemester: courseOfSemesterLoader,
    semesterOfCourse,
  };
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Below this many students in one batch, enrolments are looked up account by account. */
export const PER_COURSE_FROM = 40;
