import { z } from 'zod';
import { UpstreamError } from '../errors';
import type { CallResult } from './client';
import { MoodleBatchError, MoodleError, type MoodleWarning } from './errors';
import { chunkByBudget, type FormValue } from './form';

/**
 * Typed wrappers for every Moodle web-service function the gateway uses: zod for what goes out (so a bad
 * call fails here, not as a cryptic `invalidparameter`) and for what comes back (loose: Moodle adds fields).
 */

const flag = z.union([z.number(), z.boolean()]);
const optString = z.string().nullable().optional();

export const moodleUserSchema = z.looseObject({
  id: z.number().int(),
  username: z.string(),
  firstname: optString,
  lastname: optString,
  fullname: optString,
  email: optString,
  idnumber: optString,
  auth: optString,
  suspended: z.boolean().optional(),
  confirmed: z.boolean().optional(),
});
export type MoodleUser = z.infer<typeof moodleUserSchema>;

export const moodleCategorySchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  idnumber: optString,
  description: optString,
  parent: z.number().int(),
  coursecount: z.number().int().optional(),
  visible: flag.optional(),
  depth: z.number().int().optional(),
  path: z.string().optional(),
});
export type MoodleCategory = z.infer<typeof moodleCategorySchema>;

/** get_courses says `categoryid`, get_courses_by_field says `categoryid` too, users' courses `category`. */
export const moodleCourseSchema = z.looseObject({
  id: z.number().int(),
  shortname: z.string(),
  fullname: z.string(),
  idnumber: optString,
  categoryid: z.number().int().optional(),
  category: z.number().int().optional(),
  visible: flag.optional(),
  format: z.string().optional(),
  startdate: z.number().optional(),
  enddate: z.number().optional(),
});
export type MoodleCourse = z.infer<typeof moodleCourseSchema>;

export const enrolledUserSchema = z.looseObject({
  id: z.number().int(),
  username: z.string().optional(),
  fullname: z.string().optional(),
  firstname: optString,
  lastname: optString,
  email: optString,
  idnumber: optString,
  auth: optString,
  suspended: z.boolean().optional(),
  roles: z
    .array(z.looseObject({ roleid: z.number().int(), shortname: z.string(), name: optString }))
    .optional(),
});
export type EnrolledUser = z.infer<typeof enrolledUserSchema>;

export const siteInfoSchema = z.looseObject({
  sitename: z.string(),
  username: z.string(),
  userid: z.number().int(),
  siteurl: z.string(),
  release: z.string().optional(),
  version: z.string().optional(),
  functions: z
    .array(z.looseObject({ name: z.string(), version: z.string().optional() }))
    .optional(),
});

const warningsOnly = z.looseObject({ warnings: z.array(z.unknown()).optional() });
const nullBody = z.null();

// Outgoing parameters, checked before the call: Moodle's own answer to a bad one is an opaque
// `invalidparameter` (and an uppercase username is rejected, not lowercased).
const id = z.number().int().positive();
const text = z.string().trim().min(1);

export const newUserSchema = z
  .object({
    username: z
      .string()
      .regex(/^[a-z0-9_.@-]+$/, 'lower case letters, digits and _ . @ - only')
      .max(100),
    firstname: text,
    lastname: text,
    email: z.email(),
    idnumber: z.string().max(255).optional(),
    auth: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .optional(),
    /** Required by Moodle for `manual` accounts, unless createpassword is set. */
    password: z.string().min(1).optional(),
    createpassword: z.boolean().optional(),
    lang: z.string().optional(),
  })
  .strict();
export type NewUser = z.infer<typeof newUserSchema>;

export const newCategorySchema = z
  .object({
    name: text,
    parent: z.number().int().min(0).optional(),
    idnumber: z.string().max(100).optional(),
    description: z.string().optional(),
  })
  .strict();
export type NewCategory = z.infer<typeof newCategorySchema>;

export const newCourseSchema = z
  .object({
    fullname: text.max(254),
    shortname: text.max(255),
    categoryid: id,
    idnumber: z.string().max(100).optional(),
    summary: z.string().optional(),
    startdate: z.number().int().min(0).optional(),
    enddate: z.number().int().min(0).optional(),
    visible: z.union([z.literal(0), z.literal(1)]).optional(),
  })
  .strict();
export type NewCourse = z.infer<typeof newCourseSchema>;

export const enrolmentSchema = z
  .object({
    roleid: id,
    userid: id,
    courseid: id,
    suspend: z.boolean().optional(),
    timestart: z.number().int().min(0).optional(),
    timeend: z.number().int().min(0).optional(),
  })
  .strict();
export type Enrolment = z.infer<typeof enrolmentSchema>;

/** A call the gateway should never make: bad parameters, caught before anything is sent. */
export class MoodleParamsError extends TypeError {
  constructor(wsfunction: string, error: z.ZodError) {
    super(
      `${wsfunction}: invalid parameters: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    this.name = 'MoodleParamsError';
  }
}

function checked<T>(wsfunction: string, schema: z.ZodType<T>, items: readonly unknown[]): T[] {
  const parsed = z.array(schema).safeParse(items);
  if (!parsed.success) throw new MoodleParamsError(wsfunction, parsed.error);
  return parsed.data;
}

export interface EnrolledUsersOptions {
  userfields?: string[];
  onlyactive?: boolean;
  limitfrom?: number;
  limitnumber?: number;
}

export type UserField = 'id' | 'idnumber' | 'username' | 'email';
export type CourseField = 'id' | 'ids' | 'shortname' | 'idnumber' | 'category';

export abstract class MoodleFunctions {
  private readonly roleCache = new Map<string, number>();

  protected constructor(
    protected readonly budget: number,
    roleIds: Record<string, number>,
  ) {
    for (const [shortname, id] of Object.entries(roleIds)) this.roleCache.set(shortname, id);
  }

  abstract call<T>(
    wsfunction: string,
    params: Record<string, FormValue>,
    schema: z.ZodType<T>,
  ): Promise<CallResult<T>>;

  async getSiteInfo() {
    return (await this.call('core_webservice_get_site_info', {}, siteInfoSchema)).data;
  }

  // ---------- users

  /** Many values per call (chunked); unknown values are simply absent; soft-deleted users ARE returned. */
  async getUsersByField(field: UserField, values: readonly string[]): Promise<MoodleUser[]> {
    if (values.length === 0) return []; // Moodle rejects an empty list with invalidparameter.
    const out: MoodleUser[] = [];
    for (const chunk of chunkByBudget([...values], this.budget, 1)) {
      out.push(
        ...(
          await this.call(
            'core_user_get_users_by_field',
            { field, values: chunk },
            z.array(moodleUserSchema),
          )
        ).data,
      );
    }
    return out;
  }

  /** Criteria are ANDed; `email` accepts `%` (case-insensitive LIKE). Deleted users are excluded. */
  async getUsers(criteria: Array<{ key: string; value: string }>) {
    const { data, warnings } = await this.call(
      'core_user_get_users',
      { criteria },
      z.looseObject({ users: z.array(moodleUserSchema) }),
    );
    return { users: data.users, warnings };
  }

  /** All-or-nothing per request: see MoodleBatchError for a failure after earlier chunks were applied. */
  async createUsers(users: readonly NewUser[]): Promise<Array<{ id: number; username: string }>> {
    return this.createAll('core_user_create_users', 'users', newUserSchema, users, 'username');
  }

  /** Item by item: bad items come back as warnings (`invaliduserid`), good ones are applied. */
  async updateUsers(
    users: ReadonlyArray<{ id: number } & Partial<NewUser> & { suspended?: boolean }>,
  ): Promise<MoodleWarning[]> {
    const warnings: MoodleWarning[] = [];
    for (const chunk of chunkByBudget(users as unknown as FormValue[], this.budget)) {
      warnings.push(
        ...(await this.call('core_user_update_users', { users: chunk }, warningsOnly)).warnings,
      );
    }
    return warnings;
  }

  /** All-or-nothing: one unknown id (or a site admin) rejects the whole request. Moodle soft-deletes. */
  async deleteUsers(ids: readonly number[]): Promise<void> {
    await this.inChunks(ids, async (chunk) => {
      await this.call('core_user_delete_users', { userids: [...chunk] }, nullBody);
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
      await this.call(
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
      'name',
    );
  }

  /** A top-level category needs `recursive` (or a new parent) to go: Moodle refuses to move contents to root. */
  async deleteCategories(
    categories: ReadonlyArray<{ id: number; recursive?: boolean; newparent?: number }>,
  ): Promise<void> {
    await this.call(
      'core_course_delete_categories',
      { categories: categories.map((c) => ({ ...c })) },
      nullBody,
    );
  }

  // ---------- courses

  /** No field = every course (the site course included). `idnumber` and `shortname` take one value. */
  async getCoursesByField(field?: CourseField, value?: string): Promise<MoodleCourse[]> {
    const reply = z.looseObject({ courses: z.array(moodleCourseSchema) });
    return (await this.call('core_course_get_courses_by_field', { field, value }, reply)).data
      .courses;
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
      return (await this.call('core_course_get_courses', {}, z.array(moodleCourseSchema))).data;
    const out: MoodleCourse[] = [];
    for (const chunk of chunkByBudget([...ids], this.budget)) {
      out.push(
        ...(
          await this.call(
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
      'shortname',
    );
  }

  /** Item by item: an unknown id is a warning (`unknowncourseidnumber`), the others are deleted. */
  async deleteCourses(ids: readonly number[]): Promise<MoodleWarning[]> {
    const warnings: MoodleWarning[] = [];
    for (const chunk of chunkByBudget([...ids], this.budget))
      warnings.push(
        ...(await this.call('core_course_delete_courses', { courseids: chunk }, warningsOnly))
          .warnings,
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
      await this.call(
        'core_enrol_get_enrolled_users',
        { courseid: courseId, options: options.length ? options : undefined },
        z.array(enrolledUserSchema),
      )
    ).data;
  }

  /** One user per call (Moodle has no batch form). `returnusercount=0` skips a count query per course. */
  async getUsersCourses(userId: number): Promise<MoodleCourse[]> {
    return (
      await this.call(
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
        await this.call(
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
      await this.call(
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

  /** The create functions' common shape: checked items, all-or-nothing chunks, `[{id, <label>}]` back. */
  private async createAll<T, L extends string>(
    wsfunction: string,
    key: string,
    schema: z.ZodType<T>,
    items: readonly unknown[],
    label: L,
  ) {
    const reply = z.array(z.looseObject({ id: z.number().int(), [label]: z.string() }));
    const created: Array<{ id: number } & Record<L, string>> = [];
    await this.inChunks(checked(wsfunction, schema, items), async (chunk) => {
      const { data } = await this.call(
        wsfunction,
        { [key]: chunk.map((item) => ({ ...(item as object) }) as Record<string, FormValue>) },
        reply,
      );
      created.push(...(data as Array<{ id: number } & Record<L, string>>));
      return chunk.length;
    });
    return created;
  }

  /** Runs all-or-nothing chunks in order; a failure says how many items the earlier chunks applied. */
  private async inChunks<T>(
    items: readonly T[],
    run: (chunk: T[]) => Promise<number>,
  ): Promise<void> {
    let applied = 0;
    for (const chunk of chunkByBudget(
      items as unknown as FormValue[],
      this.budget,
    ) as unknown as T[][]) {
      try {
        applied += await run(chunk);
      } catch (err) {
        if (applied > 0 && err instanceof UpstreamError) throw new MoodleBatchError(err, applied);
        throw err;
      }
    }
  }
}
