import DataLoader from 'dataloader';
import { inSpan } from '../observability/tracing';
import type { ContextDeps } from './context';
import {
  categoryMatchesDepartment,
  isSoftDeletedUser,
  nipOfUser,
  normalizeNip,
  parseSessionId,
  pickStudentRecord,
  studentUserKey,
} from './linking';
import {
  toAccount,
  toCategory,
  toCourse,
  toDepartment,
  toSemester,
  toStudent,
  type MoodleCourseLike,
  type MoodleUserLike,
} from './mapping';
import {
  STATE_FROM_SCODOC,
  type CategoryModel,
  type CourseModel,
  type DepartmentModel,
  type EnrolmentModel,
  type MoodleAccountModel,
  type RegistrationModel,
  type SemesterModel,
  type StudentModel,
} from './models';
import { rosterKey } from './paging';

/**
 * Every upstream read the graph makes, per request. Resolvers ask these; these ask the clients.
 *
 * What batches (one upstream call for many keys in the same tick):
 *   Moodle users by idnumber/email/username/id  → core_user_get_users_by_field, values chunked
 *   Moodle courses by id                        → core_course_get_courses_by_field(ids), with a fallback
 *   Moodle categories                           → core_course_get_categories once (a site has few)
 *   ScoDoc formsemestres by (département, year) → formsemestres/query
 * What cannot batch (the upstream has no batch route), so it is deduplicated and primed instead:
 *   ScoDoc étudiant by etudid / NIP / INE, formsemestre by id   (primed from every list reply)
 *   Moodle users' courses (core_enrol_get_users_courses), one call per account
 *   Moodle course by idnumber (core_course_get_courses_by_field takes one idnumber)
 *   Moodle enrolled users, one call per course (and page)
 */
export type Loaders = ReturnType<typeof createLoaders>;

export function createLoaders(deps: ContextDeps) {
  const { scodoc, moodle, linking, lists } = deps;
  const memo = memoizer();

  // ---------- ScoDoc: départements
  const departments = () =>
    memo('departments', async () => (await scodoc.departements()).map(toDepartment));
  const departmentByAcronym = new DataLoader<string, DepartmentModel | null>(
    async (acronyms) => {
      const all = await departments();
      return acronyms.map(
        (a) => all.find((d) => d.acronym.toUpperCase() === a.toUpperCase()) ?? null,
      );
    },
    { cacheKeyFn: (a) => a.toUpperCase() },
  );

  // ---------- ScoDoc: étudiants
  const studentByEtudid = new DataLoader<number, StudentModel | null>((ids) =>
    eachKey(ids, async (etudid) =>
      primeStudent(toNullable(await scodoc.etudiant({ etudid }), toStudent)),
    ),
  );
  const recordsByNip = new DataLoader<string, StudentModel[]>(
    (nips) =>
      eachKey(nips, async (nip) =>
        (await scodoc.etudiants({ nip })).map((e) => primeStudent(toStudent(e))!),
      ),
    { cacheKeyFn: (nip) => normalizeNip(nip) ?? nip },
  );
  const studentByNip = new DataLoader<string, StudentModel | null>(async (nips) =>
    eachKey(nips, async (raw) => {
      const nip = normalizeNip(raw);
      return nip ? pickRecord(await recordsByNip.load(nip)) : null;
    }),
  );
  const studentByIne = new DataLoader<string, StudentModel | null>((ines) =>
    eachKey(ines, async (ine) =>
      pickRecord(
        (await scodoc.etudiants({ ine: ine.trim() })).map((e) => primeStudent(toStudent(e))!),
      ),
    ),
  );
  function primeStudent(s: StudentModel | null): StudentModel | null {
    if (s) studentByEtudid.prime(s.etudid, s);
    if (s?.detailed) studentDetails.prime(s.etudid, s);
    return s;
  }
  /** The long form (e-mail, birth date), for records that came from a list: one call per student. */
  const studentDetails = new DataLoader<number, StudentModel | null>((ids) =>
    eachKey(ids, async (etudid) => toNullable(await scodoc.etudiant({ etudid }), toStudent)),
  );
  const detailsOf = async (s: StudentModel) =>
    s.detailed ? s : ((await studentDetails.load(s.etudid)) ?? s);
  function pickRecord(records: StudentModel[]): StudentModel | null {
    return pickStudentRecord(records.map((r) => ({ ...r, id: r.etudid, dept_id: r.deptId })));
  }

  /** Whole lists come from the process-wide list cache (TTL), then prime the per-request loaders. */
  const studentsOfDepartment = (acronym: string) =>
    memo(`dept-students:${acronym.toUpperCase()}`, async () => {
      const list = await lists.get(`scodoc:dept-students:${acronym.toUpperCase()}`, async () =>
        (await scodoc.departementEtudiants(acronym)).map(toStudent).sort(byRoster),
      );
      for (const s of list) studentByEtudid.prime(s.etudid, s);
      return list;
    });

  // ---------- ScoDoc: formsemestres
  const semesterById = new DataLoader<number, SemesterModel | null>((ids) =>
    eachKey(ids, async (id) => toNullable(await scodoc.formsemestre(id), toSemester)),
  );
  const primeSemesters = (list: SemesterModel[]) => {
    for (const s of list) semesterById.prime(s.id, s);
    return list.sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || b.id - a.id);
  };
  const querySemesters = (q: { department?: string; year?: number }) =>
    memo(`semesters:${q.department?.toUpperCase() ?? '*'}:${q.year ?? '*'}`, async () =>
      primeSemesters(
        (
          await scodoc.formsemestresQuery({ dept_acronym: q.department, annee_scolaire: q.year })
        ).map(toSemester),
      ),
    );
  const semestersOfDepartment = (acronym: string) => querySemesters({ department: acronym });
  const currentSemestersOfDepartment = (acronym: string) =>
    memo(`semesters-current:${acronym.toUpperCase()}`, async () =>
      primeSemesters((await scodoc.formsemestresCourants(acronym)).map(toSemester)),
    );
  const today = deps.today();
  const isCurrent = (s: SemesterModel) =>
    !!s.startDate && !!s.endDate && s.startDate <= today && today <= s.endDate;

  /** One call per (formsemestre, state filter); each reply also primes the étudiant loader. */
  const studentsOfSemester = new DataLoader<
    { semesterId: number; etat: 'I' | 'D' | 'DEF' | null },
    Array<{ student: StudentModel; etat: string | null }>,
    string
  >(
    (keys) =>
      eachKey(keys, async ({ semesterId, etat }) => {
        const rows = await scodoc.formsemestreEtudiants(semesterId, etat ? { etat: [etat] } : {});
        return rows
          .map((row) => ({
            student: primeStudent(toStudent(row))!,
            etat: etat ?? (row as { etat?: string | null }).etat ?? null,
          }))
          .sort((a, b) => byRoster(a.student, b.student));
      }),
    { cacheKeyFn: (k) => `${k.semesterId}:${k.etat ?? '*'}` },
  );

  /**
   * ScoDoc's list of a student's formsemestres does not say the registration state, so the state comes from
   * the formsemestre's own roster, filtered by state: three calls per semester, shared by every student of it.
   */
  const registrationsOfStudent = new DataLoader<number, RegistrationModel[]>((etudids) =>
    eachKey(etudids, async (etudid) => {
      const semesters = primeSemesters(
        (await scodoc.etudiantFormsemestres({ etudid })).map(toSemester),
      ).reverse();
      return Promise.all(
        semesters.map(async (semester) => ({
          semester,
          state: await stateIn(semester.id, etudid),
        })),
      );
    }),
  );
  async function stateIn(semesterId: number, etudid: number): Promise<RegistrationModel['state']> {
    for (const etat of ['I', 'D', 'DEF'] as const) {
      const rows = await studentsOfSemester.load({ semesterId, etat });
      if (rows.some((r) => r.student.etudid === etudid)) return STATE_FROM_SCODOC[etat]!;
    }
    return 'REGISTERED';
  }

  // ---------- Moodle: users
  /** Users by a field, one core_user_get_users_by_field call per tick and field (chunked by the client). */
  const usersByField = (field: 'id' | 'idnumber' | 'email' | 'username') =>
    new DataLoader<string, MoodleAccountModel[]>(
      async (values) => {
        const users = (await inSpan(
          `loader batch users-by-${field}`,
          { 'loader.keys': values.length },
          () =>
            moodle.getUsersByField(field, [
              ...new Set(values.flatMap((v) => variantsOf(field, v))),
            ]),
        )) as MoodleUserLike[];
        const live = users
          .filter((u) => !isSoftDeletedUser({ username: u.username ?? '', email: u.email }))
          .map(toAccount);
        return values.map((v) => live.filter((u) => matches(field, u, v)));
      },
      { maxBatchSize: 2000 },
    );
  const byField = {
    id: usersByField('id'),
    idnumber: usersByField('idnumber'),
    email: usersByField('email'),
    username: usersByField('username'),
  };

  const accountOfStudent = new DataLoader<StudentModel, MoodleAccountModel | null, number>(
    (students) =>
      eachKey(students, async (listed) => {
        const s = linking.student === 'email' ? await detailsOf(listed) : listed;
        const key = studentUserKey(linking, { code_nip: s.nip, email: s.email });
        if (!key) return null;
        return chooseAccount(await byField[key.field].load(key.value));
      }),
    { cacheKeyFn: (s) => s.etudid },
  );

  const studentOfAccount = new DataLoader<MoodleAccountModel, StudentModel | null, number>(
    (accounts) =>
      eachKey(accounts, async (a) => {
        if (linking.student === 'email') return null; // ScoDoc has no lookup by e-mail: only NIP links back.
        const nip = nipOfUser(linking, a);
        return nip ? studentByNip.load(nip) : null;
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
        const course = e.course ?? (await courseById.load(e.courseId));
        const semester = course ? await semesterOfCourse.load(course) : null;
        if (semester) {
          const roster = await studentsOfSemester.load({ semesterId: semester.id, etat: null });
          const match = roster.find((r) => normalizeNip(r.student.nip) === nip);
          if (match) return match.student;
        }
        return studentOfAccount.load(e.account);
      }),
    { cacheKeyFn: (e) => `${e.courseId}:${e.account.id}` },
  );

  // ---------- Moodle: categories and courses
  const categories = () =>
    memo('categories', async () =>
      ((await moodle.getCategories({})) as Parameters<typeof toCategory>[0][]).map(toCategory),
    );
  const categoryOfDepartment = new DataLoader<string, CategoryModel | null>(
    async (acronyms) => {
      const all = await categories();
      return acronyms.map((a) => all.find((c) => categoryMatchesDepartment(linking, c, a)) ?? null);
    },
    { cacheKeyFn: (a) => a.toUpperCase() },
  );
  const departmentOfCategory = new DataLoader<number, DepartmentModel | null>(async (ids) => {
    const [cats, depts] = await Promise.all([categories(), departments()]);
    return ids.map((id) => {
      const cat = cats.find((c) => c.id === id);
      return (cat && depts.find((d) => categoryMatchesDepartment(linking, cat, d.acronym))) ?? null;
    });
  });

  const courseById = new DataLoader<number, CourseModel | null>(async (ids) => {
    const found = (
      (await inSpan('loader batch courses-by-id', { 'loader.keys': ids.length }, () =>
        moodle.getCoursesByIds([...ids]),
      )) as MoodleCourseLike[]
    ).map(toCourse);
    return ids.map((id) => found.find((c) => c.id === id) ?? null);
  });
  const primeCourses = (list: CourseModel[]) => {
    for (const c of list) courseById.prime(c.id, c);
    return list.sort((a, b) => a.shortName.localeCompare(b.shortName) || a.id - b.id);
  };
  const coursesOfCategory = (categoryId: number) =>
    memo(`category-courses:${categoryId}`, async () =>
      primeCourses(
        await lists.get(`moodle:category-courses:${categoryId}`, async () =>
          (
            (await moodle.getCoursesByField('category', String(categoryId))) as MoodleCourseLike[]
          ).map(toCourse),
        ),
      ),
    );
  const allCourses = () =>
    memo('all-courses', async () =>
      primeCourses(
        await lists.get('moodle:all-courses', async () =>
          // The site course (format "site", id 1) is the front page, not a course anyone teaches.
          ((await moodle.getCoursesByField()) as MoodleCourseLike[])
            .filter((c) => c.format !== 'site' && c.id !== 1)
            .map(toCourse),
        ),
      ),
    );
  const courseOfSemester = new DataLoader<string, CourseModel | null>((sessionIds) =>
    eachKey(sessionIds, async (sessionId) => {
      const found = (
        (await moodle.getCoursesByField(linking.semester, sessionId)) as MoodleCourseLike[]
      ).map(toCourse);
      primeCourses([...found]);
      return found.sort((a, b) => a.id - b.id)[0] ?? null;
    }),
  );
  const semesterOfCourse = new DataLoader<CourseModel, SemesterModel | null, number>(
    (courses) =>
      eachKey(courses, async (c) => {
        const key = linking.semester === 'idnumber' ? c.idnumber : c.shortName;
        const parsed = key ? parseSessionId(key) : null;
        if (!key || !parsed) return null;
        const candidates = await querySemesters({ department: parsed.dept, year: parsed.year });
        return candidates.find((s) => s.sessionId === key.trim()) ?? null;
      }),
    { cacheKeyFn: (c) => c.id },
  );

  // ---------- Moodle: enrolments
  const enrolmentsOfAccount = new DataLoader<MoodleAccountModel, EnrolmentModel[], number>(
    (accounts) =>
      eachKey(accounts, async (account) => {
        const courses = primeCourses(
          ((await moodle.getUsersCourses(account.id)) as MoodleCourseLike[]).map(toCourse),
        );
        return courses.map((course) => ({ courseId: course.id, course, account, roles: null }));
      }),
    { cacheKeyFn: (a) => a.id },
  );

  /** Roles come from the course's enrolled-user list (users' courses do not carry them): one call per course. */
  const rolesByCourse = new DataLoader<number, Map<number, string[]>>((courseIds) =>
    eachKey(courseIds, async (courseId) => {
      const users = await moodle.getEnrolledUsers(courseId, { userfields: ['id', 'roles'] });
      return new Map(
        users.map((u: { id: number; roles?: Array<{ shortname: string }> }) => [
          u.id,
          (u.roles ?? []).map((r) => r.shortname),
        ]),
      );
    }),
  );
  const rolesInCourse = new DataLoader<{ courseId: number; userId: number }, string[], string>(
    (keys) =>
      eachKey(keys, async (k) => (await rolesByCourse.load(k.courseId)).get(k.userId) ?? []),
    { cacheKeyFn: (k) => `${k.courseId}:${k.userId}` },
  );

  const ENROLMENT_FIELDS = [
    'id',
    'username',
    'idnumber',
    'email',
    'firstname',
    'lastname',
    'auth',
    'suspended',
    'roles',
  ];
  const enrolledInCourse = async (q: { courseId: number; offset: number; limit: number }) => {
    const users = (await moodle.getEnrolledUsers(q.courseId, {
      userfields: ENROLMENT_FIELDS,
      limitfrom: q.offset,
      limitnumber: q.limit,
    })) as Array<MoodleUserLike & { roles?: Array<{ shortname: string }> }>;
    const course = await courseById.load(q.courseId);
    return users.map((u): EnrolmentModel => ({
      courseId: q.courseId,
      course: course ?? undefined,
      account: toAccount(u),
      roles: (u.roles ?? []).map((r) => r.shortname),
    }));
  };
  /** Moodle gives no count: the id-only list is small enough to count (one call per course). */
  const enrolledCount = (courseId: number) =>
    memo(
      `enrolled-count:${courseId}`,
      async () => (await moodle.getEnrolledUsers(courseId, { userfields: ['id'] })).length,
    );

  return {
    departments,
    departmentByAcronym,
    studentByEtudid,
    detailsOf,
    studentByNip,
    studentByIne,
    studentsOfDepartment,
    semesterById,
    querySemesters,
    semestersOfDepartment,
    currentSemestersOfDepartment,
    isCurrent,
    studentsOfSemester,
    registrationsOfStudent,
    accountOfStudent,
    studentOfAccount,
    studentOfEnrolment,
    categoryOfDepartment,
    departmentOfCategory,
    courseById,
    coursesOfCategory,
    allCourses,
    courseOfSemester,
    semesterOfCourse,
    enrolmentsOfAccount,
    rolesInCourse,
    enrolledInCourse,
    enrolledCount,
  };
}

/** The exact idnumbers to ask Moodle for: it matches exactly, and real idnumbers carry spreadsheet noise. */
function variantsOf(field: string, value: string): string[] {
  if (field !== 'idnumber') return [value];
  return [value, `${value}.0`, ` ${value} `, ` ${value}`, `${value} `];
}

function matches(
  field: 'id' | 'idnumber' | 'email' | 'username',
  u: MoodleAccountModel,
  value: string,
): boolean {
  switch (field) {
    case 'id':
      return String(u.id) === value;
    case 'idnumber':
      return normalizeNip(u.idnumber) === normalizeNip(value);
    case 'email':
      return u.email === value;
    case 'username':
      return u.username === value;
  }
}

/** Moodle does not keep idnumber unique: prefer an active account, then the oldest. */
function chooseAccount(candidates: MoodleAccountModel[]): MoodleAccountModel | null {
  const sorted = [...candidates].sort(
    (a, b) => Number(!!a.suspended) - Number(!!b.suspended) || a.id - b.id,
  );
  return sorted[0] ?? null;
}

/** The same order as the roster cursor key, so keyset paging can binary-search the list. */
function byRoster(a: StudentModel, b: StudentModel): number {
  const ka = rosterKey(a.lastName, a.firstName, a.etudid);
  const kb = rosterKey(b.lastName, b.firstName, b.etudid);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function toNullable<T, R = T>(value: T | null, map?: (v: T) => R): R | null {
  if (value == null) return null;
  return map ? map(value) : (value as unknown as R);
}

/**
 * Runs one upstream call per key (for routes with no batch form) and isolates failures: a key whose call
 * failed gets its own Error, which DataLoader hands to that field only, so its siblings still resolve.
 */
function eachKey<K, V>(
  keys: readonly K[],
  load: (key: K) => Promise<V>,
): Promise<Array<V | Error>> {
  return inSpan('loader batch', { 'loader.keys': keys.length }, () =>
    Promise.all(
      keys.map((key) =>
        load(key).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
      ),
    ),
  );
}

/** Per-request memo for list-shaped reads (one call however many fields ask). Failures are not kept. */
function memoizer() {
  const cache = new Map<string, Promise<unknown>>();
  return <T>(key: string, fetch: () => Promise<T>): Promise<T> => {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = fetch();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };
}
