import { z } from 'zod';

/**
 * Zod shapes of what the Moodle client sends and receives: outgoing parameters are checked before the call
 * (Moodle's own answer to a bad one is an opaque `invalidparameter`), replies loosely (Moodle adds fields).
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

export const warningsOnly = z.looseObject({ warnings: z.array(z.unknown()).optional() });
export const nullBody = z.null();

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
class MoodleParamsError extends TypeError {
  constructor(wsfunction: string, error: z.ZodError) {
    super(
      `${wsfunction}: invalid parameters: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    this.name = 'MoodleParamsError';
  }
}

export function checked<T>(
  wsfunction: string,
  schema: z.ZodType<T>,
  items: readonly unknown[],
): T[] {
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

/**
 * The web-service functions the gateway calls: the external service of its token must hold each of them
 * (README, "What the upstream accounts need"); the self-check names any the service lacks.
 */
export const GATEWAY_FUNCTIONS = [
  'core_webservice_get_site_info',
  'core_user_get_users_by_field',
  'core_user_create_users',
  'core_user_delete_users',
  'core_course_get_categories',
  'core_course_create_categories',
  'core_course_delete_categories',
  'core_course_get_courses_by_field',
  'core_course_get_courses',
  'core_course_create_courses',
  'core_course_delete_courses',
  'core_enrol_get_enrolled_users',
  'core_enrol_get_users_courses',
  'enrol_manual_enrol_users',
  'enrol_manual_unenrol_users',
  // The sync's groups step (issue 18).
  'core_group_get_course_groups',
  'core_group_create_groups',
  'core_group_update_groups',
  'core_group_delete_groups',
  'core_group_get_group_members',
  'core_group_add_group_members',
  'core_group_delete_group_members',
  'core_group_get_course_groupings',
  'core_group_get_groupings',
  'core_group_create_groupings',
  'core_group_assign_grouping',
] as const;

/**
 * The group functions the client wraps (moodle.groups) and the contract replay covers but nothing of the
 * gateway calls: not in GATEWAY_FUNCTIONS, so the self-check does not ask a site for them. The ones the
 * sync's groups step calls moved there (issue 18).
 */
export const GROUP_FUNCTIONS = ['core_group_get_groups', 'core_group_delete_groupings'] as const;

export const createdUsers = z.array(z.looseObject({ id: z.number().int(), username: z.string() }));
export const createdCategories = z.array(z.looseObject({ id: z.number().int(), name: z.string() }));
export const createdCourses = z.array(
  z.looseObject({ id: z.number().int(), shortname: z.string() }),
);
