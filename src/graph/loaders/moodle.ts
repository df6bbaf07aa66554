import DataLoader from 'dataloader';
import { isSoftDeletedUser, nipVariants, normalizeNip } from '../../domain/linking';
import { listKeys, type ListStore } from '../../domain/list-cache';
import { toAccount, toCategory, toCourse } from '../../domain/mapping';
import type { CourseModel, EnrolmentModel, MoodleAccountModel } from '../../domain/models';
import { inSpan } from '../../observability/tracing';
import type { MoodleClient } from '../../upstreams/moodle/client';
import type { UserField } from '../../upstreams/moodle/schemas';
import { eachKey, type Memo } from './support';

/**
 * Moodle reads, per request.
 *
 * What batches (one upstream call for many keys in the same tick):
 *   users by idnumber/email/username/id  → core_user_get_users_by_field, values chunked
 *   courses by id                        → core_course_get_courses_by_field(ids), with a fallback
 *   categories                           → core_course_get_categories once (a site has few)
 * What cannot batch (Moodle has no batch form), so it is deduplicated instead:
 *   a user's courses (core_enrol_get_users_courses), one call per account
 *   courses by idnumber (core_course_get_courses_by_field takes one idnumber)
 *   enrolled users, one call per course (and page)
 */
export function createMoodleLoaders(deps: { moodle: MoodleClient; lists: ListStore }, memo: Memo) {
  const { moodle, lists } = deps;

  // ---------- users
  /** Users by a field, one core_user_get_users_by_field call per tick and field (chunked by the client). */
  const usersByField = (field: UserField) =>
    new DataLoader<string, MoodleAccountModel[]>(
      async (values) => {
        const asked = [
          ...new Set(values.flatMap((v) => (field === 'idnumber' ? nipVariants(v) : [v]))),
        ];
        const users = await inSpan(
          `loader batch users-by-${field}`,
          { 'loader.keys': values.length },
          () => moodle.getUsersByField(field, asked),
        );
        const live = users.filter((u) => !isSoftDeletedUser(u)).map(toAccount);
        return values.map((v) => live.filter((u) => matches(field, u, v)));
      },
      { maxBatchSize: 2000 },
    );
  const usersBy = {
    id: usersByField('id'),
    idnumber: usersByField('idnumber'),
    email: usersByField('email'),
    username: usersByField('username'),
  };

  // ---------- categories and courses
  // A site has few categories and changes them rarely: kept in the list cache.
  const categories = () =>
    memo('categories', () =>
      lists.get(listKeys.categories, async () => (await moodle.getCategories({})).map(toCategory)),
    );

  const courseById = new DataLoader<number, CourseModel | null>(async (ids) => {
    const found = (
      await inSpan('loader batch courses-by-id', { 'loader.keys': ids.length }, () =>
        moodle.getCoursesByIds([...ids]),
      )
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
        await lists.get(listKeys.categoryCourses(categoryId), async () =>
          (await moodle.getCoursesByField('category', String(categoryId))).map(toCourse),
        ),
      ),
    );
  const allCourses = () =>
    memo('all-courses', async () =>
      primeCourses(
        await lists.get(listKeys.allCourses, async () =>
          // The site course (format "site", id 1) is the front page, not a course anyone teaches.
          (await moodle.getCoursesByField())
            .filter((c) => c.format !== 'site' && c.id !== 1)
            .map(toCourse),
        ),
      ),
    );
  /** Courses whose idnumber (or shortname) is exactly this value: one call per value. */
  const coursesByKey = new DataLoader<
    { field: 'idnumber' | 'shortname'; value: string },
    CourseModel[],
    string
  >(
    (keys) =>
      eachKey(keys, async ({ field, value }) => {
        const found = (await moodle.getCoursesByField(field, value)).map(toCourse);
        primeCourses([...found]);
        return found;
      }),
    { cacheKeyFn: (k) => `${k.field}:${k.value}` },
  );

  // ---------- enrolments
  const enrolmentsOfAccount = new DataLoader<MoodleAccountModel, EnrolmentModel[], number>(
    (accounts) =>
      eachKey(accounts, async (account) => {
        const courses = primeCourses((await moodle.getUsersCourses(account.id)).map(toCourse));
        return courses.map((course) => ({ courseId: course.id, course, account, roles: null }));
      }),
    { cacheKeyFn: (a) => a.id },
  );

  /**
   * Who is enrolled in a course and with which roles (ids only): one call per course, kept in the list cache,
   * so a roster can find its students' enrolments course by course when that costs fewer calls.
   */
  const courseEnrolments = (courseId: number) =>
    memo(`course-enrolments:${courseId}`, () =>
      lists.get(listKeys.courseEnrolments(courseId), async () =>
        (await moodle.getEnrolledUsers(courseId, { userfields: ['id', 'roles'] })).map((u) => ({
          userId: u.id,
          roles: (u.roles ?? []).map((r) => r.shortname),
        })),
      ),
    );

  /** Roles come from the course's enrolled-user list (users' courses do not carry them): one call per course. */
  const rolesByCourse = new DataLoader<number, Map<number, string[]>>((courseIds) =>
    eachKey(courseIds, async (courseId) => {
      const users = await moodle.getEnrolledUsers(courseId, { userfields: ['id', 'roles'] });
      return new Map(users.map((u) => [u.id, (u.roles ?? []).map((r) => r.shortname)]));
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
    const users = await moodle.getEnrolledUsers(q.courseId, {
      userfields: ENROLMENT_FIELDS,
      limitfrom: q.offset,
      limitnumber: q.limit,
    });
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
    usersBy,
    categories,
    courseById,
    coursesOfCategory,
    allCourses,
    coursesByKey,
    enrolmentsOfAccount,
    courseEnrolments,
    rolesInCourse,
    enrolledInCourse,
    enrolledCount,
  };
}

export type MoodleLoaders = ReturnType<typeof createMoodleLoaders>;

function matches(field: UserField, u: MoodleAccountModel, value: string): boolean {
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
