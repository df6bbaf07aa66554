import { z } from 'zod';
import type { HttpCoreOptions } from '../http';
import { UpstreamError } from '../errors';
import type { MoodleConfig } from './config';
import { MoodleError, type MoodleWarning } from './errors';
import { inChunks } from './chunks';
import { chunkByBudget, type FormValue } from './form';
import { MoodleGroups } from './groups';
import {
  checked,
  enrolledUserSchema,
  enrolmentSchema,
  moodleCategorySchema,
  moodleCourseSchema,
  moodleUserSchema,
  newCategorySchema,
  newCourseSchema,
  newUserSchema,
  nullBody,
  siteInfoSchema,
  warningsOnly,
  type CourseField,
  type EnrolledUser,
  type EnrolledUsersOptions,
  type Enrolment,
  type MoodleCategory,
  type MoodleCourse,
  type MoodleUser,
  type NewCategory,
  type NewCourse,
  type NewUser,
  type UserField,
  createdCategories,
  createdCourses,
  createdUsers,
} from './schemas';
import { HttpMoodleTransport, type MoodleTransport } from './transport';

/**
 * Typed wrappers for every Moodle web-service function the gateway uses, over a transport: zod for what
 * goes out (so a bad call fails here, not as a cryptic `invalidparameter`) and for what comes back.
 */
export class MoodleClient {
  private readonly roleCache = new Map<string, number>();
  /** The core_group_* functions (groups, members, groupings). */
  readonly groups: MoodleGroups;

  constructor(
    private readonly transport: MoodleTransport,
    /** Leaf form values per request (MOODLE_MAX_PARAMS_PER_REQUEST): batches are chunked under it. */
    private readonly budget: number,
    roleIds: Record<string, number> = {},
  ) {
    for (const [shortname, id] of Object.entries(roleIds)) this.roleCache.set(shortname, id);
    this.groups = new MoodleGroups(transport, budget);
  }

  /** Circuit breaker state, for /ready. */
  breakerState() {
    return this.transport.breakerState();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async getSiteInfo() {
    return (await this.transport.call('core_webservice_get_site_info', {}, siteInfoSchema)).data;
  }

  // ---------- users

  /** Many values per call (chunked); unknown values are simply absent; soft-deleted users ARE returned. */
  async getUsersByField(field: UserField, values: readonly string[]): Promise<MoodleUser[]> {
    if (values.length === 0) return []; // Moodle rejects an empty list with invalidparameter.
    // A read: the chunks go out together (each still waits for a slot of the upstream's share).
    const chunks = chunkByBudget([...values], this.budget, 1);
    const replies = await Promise.all(
      chunks.map((chunk) =>
        this.transport.call(
          'core_user_get_users_by_field',
          { field, values: chunk },
          z.array(moodleUserSchema),
        ),
      ),
    );
    return replies.flatMap((r) => r.data);
  }

  /**
   * The fields Moodle returns for one user looked up by id, or null when it returns no such user: what the
   * web-service user may see (a role without moodle/user:viewalldetails gets no username, idnumber or auth,
   * one without moodle/site:viewuseridentity no e-mail; observed on a stock Moodle 5.0.6).
   */
  async visibleUserFields(id: number): Promise<string[] | null> {
    const reply = z.array(z.looseObject({ id: z.number().int() }));
    const { data } = await this.transport.call(
      'core_user_get_users_by_field',
      { field: 'id', values: [String(id)] },
      reply,
    );
    return data[0] ? Object.keys(data[0]) : null;
  }

  /** Criteria are ANDed; `email` accepts `%` (case-insensitive LIKE). Deleted users are excluded. */
  async getUsers(criteria: Array<{ key: string; value: string }>) {
    const { data, warnings } = await this.transport.call(
      'core_user_get_users',
      { criteria },
      z.looseObject({ users: z.array(moodleUserSchema) }),
    );
    return { users: data.users, warnings };
  }

  /** All-or-nothing per request: see MoodleBatchError for a failure after earlier chunks were applied. */
  async createUsers(users: readonly NewUser[]): Promise<Array<{ id: number; username: string }>> {
    return this.createAll('core_user_create_users', 'users', newUserSchema, users, createdUsers);
  }

  /** Item by item: bad items come back as warnings (`invaliduserid`), good ones are applied. */
  async updateUsers(
    users: ReadonlyArray<{ id: number } & Partial<NewUser> & { suspended?: boolean }>,
  ): Promise<MoodleWarning[]> {
    const warnings: MoodleWarning[] = [];
    for (const chunk of chunkByBudget(users as unknown as FormValue[], this.budget)) {
      warnings.push(
        ...(await this.transport.call('core_user_update_users', { users: chunk }, warningsOnly))
          .warnings,
      );
    }
    return warnings;
  }

  /** All-or-nothing: one unknown id (or a site admin) rejects the whole request. Moodle soft-deletes. */
  async deleteUsers(ids: readonly number[]): Promise<void> {
    await this.inChunks(ids, async (chunk) => {
      await this.transport.call('core_user_delete_users', { userids: [...chunk] }, nullBody);
      return chunk.length;
    });
  }

  // ---------- categories

  /** Criteria keys: id, ids (comma list), name, parent, idnumber, visible, theme. No criteria = every category. */
  async getCategories(
    criteria: Partial<Record<'id' | 'ids' | 'name' | 'parent' | 'idnumber', string | number>>,
    opts: { addsubcategories?: boolean } = {},
  ): Promise<MoodleCategory[]> {
    const list = Object.entries(criteria)
      .filter(([, v]) => v !== undefined)
      .map(([key, value]) => ({ key, value: String(value) }));
    return (
      await this.transport.call(
        'core_course_get_categories',
        { criteria: list, addsubcategories: opts.addsubcategories },
        z.array(moodleCategorySchema),
      )
    ).data;
  }

  async createCategories(
    categories: readonly NewCategory[],
  ): Promise<Array<{ id: number; name: string }>> {
    return this.createAll(
      'core_course_create_categories',
      'categories',
      newCategorySchema,
      categories,
      createdCategories,
    );
  }

  /** A top-level category needs `recursive` (or a new parent) to go: Moodle refuses to move contents to root. */
  async deleteCategories(
    categories: ReadonlyArray<{ id: number; recursive?: boolean; newparent?: number }>,
  ): Promise<void> {
    await this.transport.call(
      'core_course_delete_categories',
      { categories: categories.map((c) => ({ ...c })) },
      nullBody,
    );
  }

  // ---------- courses

  /** No field = every course (the site course included). `idnumber` and `shortname` take one value. */
  async getCoursesByField(field?: CourseField, value?: string): Promise<MoodleCourse[]> {
    const reply = z.looseObject({ courses: z.array(moodleCourseSchema) });
    return (await this.transport.call('core_course_get_courses_by_field', { field, value }, reply))
      .data.courses;
  }

  /**
   * Courses by id, one call. core_course_get_courses_by_field with `ids` is the light call, but Moodle
   * crashes on it (PHP `Error`, no errorcode) when any id is unknown; then core_course_get_courses with
   * `options[ids]`, which silently drops unknown ids, answers instead.
   */
  async getCoursesByIds(ids: readonly number[]): Promise<MoodleCourse[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    try {
      return await this.getCoursesByField('ids', unique.join(','));
    } catch (err) {
      if (!(err instanceof MoodleError) || err.exception !== 'Error') throw err;
      return this.getCourses(unique);
    }
  }

  /** Unspecified order, unknown ids silently dropped; no ids = every course. */
  async getCourses(ids?: readonly number[]): Promise<MoodleCourse[]> {
    if (!ids)
      return (await this.transport.call('core_course_get_courses', {}, z.array(moodleCourseSchema)))
        .data;
    const out: MoodleCourse[] = [];
    for (const chunk of chunkByBudget([...ids], this.budget)) {
      out.push(
        ...(
          await this.transport.call(
            'core_course_get_courses',
            { options: { ids: chunk } },
            z.array(moodleCourseSchema),
          )
        ).data,
      );
    }
    return out;
  }

  async createCourses(
    courses: readonly NewCourse[],
  ): Promise<Array<{ id: number; shortname: string }>> {
    return this.createAll(
      'core_course_create_courses',
      'courses',
      newCourseSchema,
      courses,
      createdCourses,
    );
  }

  /** Item by item: an unknown id is a warning (`unknowncourseidnumber`), the others are deleted. */
  async deleteCourses(ids: readonly number[]): Promise<MoodleWarning[]> {
    const warnings: MoodleWarning[] = [];
    for (const chunk of chunkByBudget([...ids], this.budget))
      warnings.push(
        ...(
          await this.transport.call(
            'core_course_delete_courses',
            { courseids: chunk },
            warningsOnly,
          )
        ).warnings,
      );
    return warnings;
  }

  // ---------- enrolments

  /** Ordered by user id. `limitfrom`/`limitnumber` page it; `userfields` keeps replies small. */
  async getEnrolledUsers(
    courseId: number,
    opts: EnrolledUsersOptions = {},
  ): Promise<EnrolledUser[]> {
    const options: Array<{ name: string; value: string }> = [];
    if (opts.userfields) options.push({ name: 'userfields', value: opts.userfields.join(',') });
    if (opts.onlyactive !== undefined)
      options.push({ name: 'onlyactive', value: opts.onlyactive ? '1' : '0' });
    if (opts.limitfrom !== undefined)
      options.push({ name: 'limitfrom', value: String(opts.limitfrom) });
    if (opts.limitnumber !== undefined)
      options.push({ name: 'limitnumber', value: String(opts.limitnumber) });
    return (
      await this.transport.call(
        'core_enrol_get_enrolled_users',
        { courseid: courseId, options: options.length ? options : undefined },
        z.array(enrolledUserSchema),
      )
    ).data;
  }

  /** One user per call (Moodle has no batch form). `returnusercount=0` skips a count query per course. */
  async getUsersCourses(userId: number): Promise<MoodleCourse[]> {
    return (
      await this.transport.call(
        'core_enrol_get_users_courses',
        { userid: userId, returnusercount: false },
        z.array(moodleCourseSchema),
      )
    ).data;
  }

  /** All-or-nothing per request; re-enrolling is a no-op (idempotent), `suspend` updates the status. */
  async enrolUsers(enrolments: readonly Enrolment[]): Promise<void> {
    await this.inChunks(
      checked('enrol_manual_enrol_users', enrolmentSchema, enrolments),
      async (chunk) => {
        await this.transport.call(
          'enrol_manual_enrol_users',
          { enrolments: chunk.map((e) => ({ ...e })) },
          nullBody,
        );
        return chunk.length;
      },
    );
  }

  /** Idempotent: unenrolling someone not enrolled is not an error. */
  async unenrolUsers(
    enrolments: ReadonlyArray<{ userid: number; courseid: number; roleid?: number }>,
  ): Promise<void> {
    await this.inChunks(enrolments, async (chunk) => {
      await this.transport.call(
        'enrol_manual_unenrol_users',
        { enrolments: chunk.map((e) => ({ ...e })) },
        nullBody,
      );
      return chunk.length;
    });
  }

  /**
   * Role id by shortname. Core Moodle exposes no web-service function that lists roles, so the id is either
   * configured (MOODLE_ROLE_IDS) or learnt from the `roles` of enrolled users in the given courses (every
   * enrolled user's roles carry `{roleid, shortname}`). Cached for the life of the client.
   */
  async roleIdByShortname(shortname: string, lookIn: readonly number[] = []): Promise<number> {
    const known = this.roleCache.get(shortname);
    if (known !== undefined) return known;
    for (const courseId of lookIn) {
      const users = await this.getEnrolledUsers(courseId, { userfields: ['id', 'roles'] });
      for (const role of users.flatMap((u) => u.roles ?? []))
        this.roleCache.set(role.shortname, role.roleid);
      const found = this.roleCache.get(shortname);
      if (found !== undefined) return found;
    }
    throw new UpstreamError({
      system: 'moodle',
      code: 'NOT_FOUND',
      message: `Moodle role "${shortname}" is unknown: nobody holds it in the courses looked at; set MOODLE_ROLE_IDS (e.g. {"${shortname}": 5})`,
    });
  }

  /** Remembers a role id the caller verified (a standard id read back from an enrolment). */
  rememberRole(shortname: string, id: number): void {
    this.roleCache.set(shortname, id);
  }

  /** The create functions' common shape: checked items, all-or-nothing chunks, `[{id, <label>}]` back. */
  private async createAll<T, R>(
    wsfunction: string,
    key: string,
    schema: z.ZodType<T>,
    items: readonly unknown[],
    reply: z.ZodType<R[]>,
  ): Promise<R[]> {
    const created: R[] = [];
    await this.inChunks(checked(wsfunction, schema, items), async (chunk) => {
      const { data } = await this.transport.call(
        wsfunction,
        { [key]: chunk.map((item) => ({ ...(item as object) })) },
        reply,
      );
      created.push(...data);
      return chunk.length;
    });
    return created;
  }

  /** Runs all-or-nothing chunks in order; a failure says how many items the earlier chunks applied. */
  private inChunks<T>(items: readonly T[], run: (chunk: T[]) => Promise<number>): Promise<void> {
    return inChunks(items, this.budget, run);
  }
}

export function createMoodleClient(
  config: Pick<
    MoodleConfig,
    'url' | 'token' | 'timeoutMs' | 'connections' | 'maxParamsPerRequest' | 'roleIds'
  >,
  opts: HttpCoreOptions = {},
): MoodleClient {
  return new MoodleClient(
    new HttpMoodleTransport(config, opts),
    config.maxParamsPerRequest,
    config.roleIds,
  );
}
