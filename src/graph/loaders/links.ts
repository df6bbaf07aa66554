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

  return {
    accountOfStudent,
    studentOfAccount,
    studentOfEnrolment,
    categoryOfDepartment: categoryOfDepartmentLoader,
    departmentOfCategory: departmentOfCategoryLoader,
    courseOfSemester: courseOfSemesterLoader,
    semesterOfCourse,
  };
}
