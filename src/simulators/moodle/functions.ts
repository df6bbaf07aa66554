import { multiple, single, v, type Desc } from './params';
import {
  ASSIGNABLE_IN_COURSE,
  type CategoryRow,
  type CourseRow,
  type MoodleStore,
  type UserRow,
} from './store';

/**
 * The web-service functions, with Moodle's parameter descriptions and semantics: which calls are
 * all-or-nothing, which report per-item warnings, what comes back as `null`, and the recorded quirks.
 */

export class MoodleException extends Error {
  constructor(
    readonly exception: string,
    readonly errorcode: string | undefined,
    message: string,
    readonly debuginfo?: string,
  ) {
    super(message);
  }
}

const moodleException = (errorcode: string, message: string, debuginfo?: string) =>
  new MoodleException('core\\exception\\moodle_exception', errorcode, message, debuginfo);
const invalidParameter = (debuginfo: string) =>
  new MoodleException(
    'core\\exception\\invalid_parameter_exception',
    'invalidparameter',
    'Invalid parameter value detected',
    debuginfo,
  );
const missingRecord = (errorcode: string, message: string, debuginfo: string) =>
  new MoodleException('dml_missing_record_exception', errorcode, message, debuginfo);

export interface WsFunction {
  params: Desc;
  run(p: any, store: MoodleStore): unknown;
  /** For XML: keys a user structure always lists (nulls included). */
  xmlUserKeys?: boolean;
}

const USER_FIELDS_DESC = single({
  username: v('username'),
  auth: v('raw', { default: 'manual' }),
  createpassword: v('bool', { optional: true }),
  password: v('raw', { optional: true }),
  firstname: v('raw'),
  lastname: v('raw'),
  email: v('raw'),
  maildisplay: v('int', { optional: true }),
  city: v('raw', { optional: true }),
  country: v('alphanumext', { optional: true }),
  timezone: v('raw', { optional: true }),
  description: v('raw', { optional: true }),
  idnumber: v('raw', { default: '' }),
  lang: v('raw', { optional: true }),
  institution: v('raw', { optional: true }),
  department: v('raw', { optional: true }),
});

const UPDATE_USER_DESC = single({
  id: v('int'),
  username: v('username', { optional: true }),
  auth: v('raw', { optional: true }),
  suspended: v('bool', { optional: true }),
  password: v('raw', { optional: true }),
  firstname: v('raw', { optional: true }),
  lastname: v('raw', { optional: true }),
  email: v('raw', { optional: true }),
  city: v('raw', { optional: true }),
  idnumber: v('raw', { optional: true }),
  institution: v('raw', { optional: true }),
  department: v('raw', { optional: true }),
  lang: v('raw', { optional: true }),
});

/** The leading fields every Moodle user structure shares, in Moodle's order. */
function userIdentity(u: UserRow): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    firstname: u.firstname,
    lastname: u.lastname,
    fullname: `${u.firstname} ${u.lastname}`,
    email: u.email,
    department: u.department,
  };
}

export function userJson(store: MoodleStore, u: UserRow): Record<string, unknown> {
  const out = userIdentity(u);
  if (u.institution) out.institution = u.institution;
  // Moodle leaves optional keys out when empty: a user without idnumber has no idnumber key.
  if (u.idnumber) out.idnumber = u.idnumber;
  Object.assign(out, {
    firstaccess: 0,
    lastaccess: 0,
    auth: u.auth,
    suspended: u.suspended,
    confirmed: true,
    lang: u.lang,
    theme: '',
    timezone: '99',
    mailformat: 1,
    trackforums: 0,
  });
  if (u.city) out.city = u.city;
  out.profileimageurlsmall = `${store.siteUrl}/theme/image.php/boost/core/1/u/f2`;
  out.profileimageurl = `${store.siteUrl}/theme/image.php/boost/core/1/u/f1`;
  return out;
}

function categoryJson(store: MoodleStore, c: CategoryRow) {
  const path = store.categoryPath(c);
  return {
    id: c.id,
    name: c.name,
    idnumber: c.idnumber,
    description: c.description,
    descriptionformat: 1,
    parent: c.parent,
    sortorder: c.sortorder,
    coursecount: [...store.courses.values()].filter((x) => x.categoryid === c.id).length,
    visible: c.visible,
    visibleold: c.visible,
    timemodified: c.timemodified,
    depth: path.length,
    path: `/${path.join('/')}`,
    theme: '',
  };
}

/** core_course_get_courses_by_field's course shape. */
function courseByFieldJson(store: MoodleStore, c: CourseRow) {
  return {
    id: c.id,
    fullname: c.fullname,
    displayname: c.fullname,
    shortname: c.shortname,
    courseimage: `${store.siteUrl}/pluginfile.php/${c.id}/course/generated/course.svg`,
    categoryid: c.categoryid,
    categoryname: store.categories.get(c.categoryid)?.name ?? '',
    sortorder: c.sortorder,
    summary: c.summary,
    summaryformat: 1,
    summaryfiles: [],
    overviewfiles: [],
    showactivitydates: true,
    showcompletionconditions: true,
    contacts: [],
    enrollmentmethods: ['manual'],
    idnumber: c.idnumber,
    format: c.format,
    showgrades: 1,
    newsitems: 5,
    startdate: c.startdate,
    enddate: c.enddate,
    maxbytes: 0,
    showreports: 0,
    visible: c.visible,
    groupmode: 0,
    groupmodeforce: 0,
    defaultgroupingid: 0,
    enablecompletion: 1,
    completionnotify: 0,
    lang: '',
    theme: '',
    marker: 0,
    legacyfiles: 0,
    calendartype: '',
    timecreated: c.timecreated,
    timemodified: c.timecreated,
    requested: 0,
    cacherev: c.timecreated,
    filters: [
      'displayh5p',
      'activitynames',
      'mathjaxloader',
      'emoticon',
      'urltolink',
      'mediaplugin',
    ].map((filter) => ({
      filter,
      localstate: 0,
      inheritedstate: 1,
    })),
    courseformatoptions: [
      { name: 'hiddensections', value: 1 },
      { name: 'coursedisplay', value: 0 },
      { name: 'indentation', value: '1' },
    ],
  };
}

/** core_course_get_courses's course shape (a different one). */
function courseListJson(store: MoodleStore, c: CourseRow) {
  return {
    id: c.id,
    shortname: c.shortname,
    categoryid: c.categoryid,
    categorysortorder: c.sortorder,
    fullname: c.fullname,
    displayname: c.fullname,
    idnumber: c.idnumber,
    summary: c.summary,
    summaryformat: 1,
    format: c.format,
    showgrades: 1,
    newsitems: 5,
    startdate: c.startdate,
    enddate: c.enddate,
    numsections: 0,
    maxbytes: 0,
    showreports: 0,
    visible: c.visible,
    hiddensections: 1,
    groupmode: 0,
    groupmodeforce: 0,
    defaultgroupingid: 0,
    timecreated: c.timecreated,
    timemodified: c.timecreated,
    enablecompletion: 1,
    completionnotify: 0,
    lang: '',
    forcetheme: '',
    courseformatoptions: [
      { name: 'hiddensections', value: 1 },
      { name: 'coursedisplay', value: 0 },
    ],
    showactivitydates: true,
    showcompletionconditions: true,
  };
}

/** core_enrol_get_users_courses's shape: booleans true/false, progress and lastaccess null. */
function userCourseJson(store: MoodleStore, c: CourseRow) {
  return {
    id: c.id,
    shortname: c.shortname,
    fullname: c.fullname,
    displayname: c.fullname,
    idnumber: c.idnumber,
    visible: c.visible,
    summary: c.summary,
    summaryformat: 1,
    format: c.format,
    courseimage: `${store.siteUrl}/pluginfile.php/${c.id}/course/generated/course.svg`,
    showgrades: true,
    lang: '',
    enablecompletion: true,
    completionhascriteria: false,
    completionusertracked: true,
    category: c.categoryid,
    progress: null,
    completed: false,
    startdate: c.startdate,
    enddate: c.enddate,
    marker: 0,
    lastaccess: null,
    isfavourite: false,
    hidden: false,
    overviewfiles: [],
    showactivitydates: true,
    showcompletionconditions: true,
    timemodified: c.timecreated,
  };
}

function requireLiveUser(store: MoodleStore, id: number, withDeletedClause: boolean): UserRow {
  const u = store.users.get(id);
  if (!u || u.deleted) {
    const sql = withDeletedClause
      ? 'SELECT * FROM {user} WHERE id = ? AND deleted = ?'
      : 'SELECT * FROM {user} WHERE id = ?';
    const args = withDeletedClause ? `  0 => ${id},\n  1 => 0,\n` : `  0 => ${id},\n`;
    throw missingRecord('invaliduser', 'Invalid user', `${sql}\n[array (\n${args})]`);
  }
  return u;
}

function requireCourse(store: MoodleStore, id: number): CourseRow {
  const c = store.courses.get(id);
  if (!c)
    throw missingRecord(
      'invalidrecord',
      "Can't find data record in database table course.",
      `SELECT * FROM {course} WHERE id = ?\n[array (\n  0 => ${id},\n)]`,
    );
  return c;
}

/**
 * Runs a batch as one transaction: on failure nothing stays. The ids it took are not given back (the store's
 * sequences only move forward), as in Moodle, so a rolled-back batch leaves gaps.
 */
function transaction<T>(run: () => T, undo: () => void): T {
  try {
    return run();
  } catch (e) {
    undo();
    throw e;
  }
}

export const FUNCTIONS: Record<string, WsFunction> = {
  core_webservice_get_site_info: {
    params: single({ serviceshortnames: multiple(v('raw'), { optional: true }) }),
    run: (_p, store) => {
      const me = store.userByUsername('wsgateway')!;
      return {
        sitename: 'Campus Graph Demo Moodle',
        username: me.username,
        firstname: me.firstname,
        lastname: me.lastname,
        fullname: `${me.firstname} ${me.lastname}`,
        lang: 'en',
        userid: me.id,
        siteurl: store.siteUrl,
        userpictureurl: `${store.siteUrl}/theme/image.php/boost/core/1/u/f1`,
        functions: SERVICE_FUNCTIONS.map((name) => ({
          name,
          version: name.startsWith('enrol_manual') ? '2025041400' : '2025041406.11',
        })),
        downloadfiles: 0,
        uploadfiles: 0,
        release: '5.0.6+ (Build: 20260403)',
        version: '2025041406.11',
        mobilecssurl: '',
        advancedfeatures: [
          'usecomments',
          'usetags',
          'enablenotes',
          'messaging',
          'enableblogs',
          'enablecompletion',
          'enablebadges',
          'messagingallusers',
          'enablecustomreports',
          'enableglobalsearch',
          'mnet_dispatcher_mode',
          'enablecompetencies',
        ].map((name) => ({
          name,
          value: ['messagingallusers', 'enableglobalsearch', 'mnet_dispatcher_mode'].includes(name)
            ? 0
            : 1,
        })),
        usercanmanageownfiles: true,
        userquota: 104857600,
        usermaxuploadfilesize: 2097152,
        userhomepage: 1,
        userprivateaccesskey: '5f4dcc3b5aa765d61d8327deb882cf99',
        siteid: 1,
        sitecalendartype: 'gregorian',
        usercalendartype: 'gregorian',
        userissiteadmin: false,
        theme: 'boost',
        limitconcurrentlogins: 0,
        policyagreed: 0,
      };
    },
  },

  core_user_get_users_by_field: {
    params: single({ field: v('alpha'), values: multiple(v('raw')) }),
    xmlUserKeys: true,
    run: (p: { field: string; values: string[] }, store) => {
      const wanted = new Set(p.values);
      const match = (u: UserRow) => {
        switch (p.field) {
          case 'id':
            return wanted.has(String(u.id));
          case 'idnumber':
            return u.idnumber !== '' && wanted.has(u.idnumber);
          case 'username':
            return wanted.has(u.username);
          case 'email':
            return wanted.has(u.email); // exact, case-sensitive
          default:
            throw invalidParameter(`Invalid field: ${p.field}`);
        }
      };
      // Deleted users are NOT filtered out (recorded behaviour); sorted by id.
      return [...store.users.values()]
        .filter(match)
        .sort((a, b) => a.id - b.id)
        .map((u) => userJson(store, u));
    },
  },

  core_user_get_users: {
    params: single({ criteria: multiple(single({ key: v('alpha'), value: v('raw') })) }),
    run: (p: { criteria: Array<{ key: string; value: string }> }, store) => {
      const allowed = ['id', 'lastname', 'firstname', 'idnumber', 'username', 'email', 'auth'];
      const warnings: unknown[] = [];
      let users = [...store.users.values()].filter((u) => !u.deleted && u.username !== 'guest');
      for (const { key, value } of p.criteria) {
        if (!allowed.includes(key)) {
          warnings.push({
            item: key,
            warningcode: 'invalidfieldparameter',
            message: `The search key '${key}' is not supported, look at the web service documentation`,
          });
          continue;
        }
        if (key === 'email' || key === 'lastname' || key === 'firstname') {
          const re = new RegExp(`^${value.split('%').map(escapeRegex).join('.*')}$`, 'i');
          users = users.filter((u) => re.test(String(u[key])));
        } else {
          users = users.filter((u) => String(u[key as keyof UserRow]) === value);
        }
      }
      return { users: users.sort((a, b) => a.id - b.id).map((u) => userJson(store, u)), warnings };
    },
  },

  core_user_create_users: {
    params: single({ users: multiple(USER_FIELDS_DESC) }),
    run: (p: { users: Array<Record<string, string | boolean>> }, store) => {
      const created: UserRow[] = [];
      return transaction(
        () => {
          for (const u of p.users) {
            if (store.userByUsername(String(u.username)))
              throw invalidParameter(`Username already exists: ${u.username}`);
            if (u.auth === 'manual' && !u.password && !u.createpassword)
              throw invalidParameter(
                'Invalid password: you must provide a password, or set createpassword.',
              );
            if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(u.email)))
              throw invalidParameter(`Email address is invalid: ${u.email}`);
            // Moodle does not check idnumber (nor, by default, email) for uniqueness.
            created.push(
              store.addUser({
                username: String(u.username),
                firstname: String(u.firstname),
                lastname: String(u.lastname),
                email: String(u.email),
                idnumber: String(u.idnumber ?? ''),
                auth: String(u.auth),
                department: String(u.department ?? ''),
                institution: String(u.institution ?? ''),
                city: String(u.city ?? ''),
              }),
            );
          }
          return created.map((u) => ({ id: u.id, username: u.username }));
        },
        () => {
          for (const u of created) store.users.delete(u.id);
        },
      );
    },
  },

  core_user_update_users: {
    params: single({ users: multiple(UPDATE_USER_DESC) }),
    run: (p: { users: Array<Record<string, unknown> & { id: number }> }, store) => {
      const warnings: unknown[] = [];
      for (const change of p.users) {
        const u = store.users.get(change.id);
        if (!u || u.deleted) {
          warnings.push({
            item: 'user',
            itemid: change.id,
            warningcode: 'invaliduserid',
            message: 'Invalid user ID',
          });
          continue;
        }
        for (const [k, val] of Object.entries(change))
          if (k !== 'id' && k !== 'password' && val !== undefined)
            (u as unknown as Record<string, unknown>)[k] = val;
      }
      return { warnings };
    },
  },

  core_user_delete_users: {
    params: single({ userids: multiple(v('int')) }),
    run: (p: { userids: number[] }, store) => {
      // Checked as a whole first: one bad id and nothing is deleted.
      const users = p.userids.map((id) => requireLiveUser(store, id, true));
      for (const u of users) {
        if (u.siteAdmin || u.username === 'guest')
          throw moodleException('useradminodelete', 'Administrator accounts can not be deleted');
      }
      for (const u of users) store.softDelete(u);
      return null;
    },
  },

  core_course_get_categories: {
    params: single({
      criteria: multiple(single({ key: v('alpha'), value: v('raw') }), { optional: true }),
      addsubcategories: v('bool', { default: true }),
    }),
    run: (
      p: { criteria?: Array<{ key: string; value: string }>; addsubcategories: boolean },
      store,
    ) => {
      let cats = [...store.categories.values()];
      for (const { key, value } of p.criteria ?? []) {
        switch (key) {
          case 'id':
            cats = cats.filter((c) => String(c.id) === value);
            break;
          case 'ids': {
            const ids = new Set(value.split(',').map((x) => x.trim()));
            cats = cats.filter((c) => ids.has(String(c.id)));
            break;
          }
          case 'name':
          case 'idnumber':
            cats = cats.filter((c) => c[key] === value);
            break;
          case 'parent':
            cats = cats.filter((c) => String(c.parent) === value);
            break;
          case 'visible':
            cats = cats.filter((c) => String(c.visible) === value);
            break;
          default:
            throw moodleException(
              'criteriaerror',
              'Missing permissions to search on a criterion.',
              `You can not search on this criteria: ${key}`,
            );
        }
      }
      if (p.addsubcategories && (p.criteria ?? []).length > 0) {
        const seen = new Set(cats.map((c) => c.id));
        for (const c of [...cats])
          for (const d of store.descendants(c.id))
            if (!seen.has(d.id)) (seen.add(d.id), cats.push(d));
      }
      return cats
        .sort((a, b) => a.sortorder - b.sortorder || a.id - b.id)
        .map((c) => categoryJson(store, c));
    },
  },

  core_course_create_categories: {
    params: single({
      categories: multiple(
        single({
          name: v('text'),
          parent: v('int', { default: 0 }),
          idnumber: v('raw', { optional: true }),
          description: v('raw', { optional: true }),
          descriptionformat: v('int', { default: 1 }),
          theme: v('raw', { optional: true }),
        }),
      ),
    }),
    run: (
      p: {
        categories: Array<{
          name: string;
          parent: number;
          idnumber?: string;
          description?: string;
        }>;
      },
      store,
    ) => {
      const created: CategoryRow[] = [];
      return transaction(
        () => {
          for (const c of p.categories) {
            if (c.parent !== 0 && !store.categories.has(c.parent))
              throw missingRecord(
                'invalidrecord',
                "Can't find data record in database table course_categories.",
                'parent',
              );
            if (
              c.idnumber &&
              [...store.categories.values()].some((x) => x.idnumber === c.idnumber)
            ) {
              throw moodleException(
                'categoryidnumbertaken',
                'ID number is already used for another category',
              );
            }
            created.push(
              store.addCategory({
                name: c.name,
                idnumber: c.idnumber ?? '',
                description: c.description ?? '',
                parent: c.parent,
              }),
            );
          }
          return created.map((c) => ({ id: c.id, name: c.name }));
        },
        () => {
          for (const c of created) store.categories.delete(c.id);
        },
      );
    },
  },

  core_course_delete_categories: {
    params: single({
      categories: multiple(
        single({
          id: v('int'),
          newparent: v('int', { optional: true }),
          recursive: v('int', { default: 0 }),
        }),
      ),
    }),
    run: (
      p: { categories: Array<{ id: number; newparent?: number; recursive: number }> },
      store,
    ) => {
      for (const c of p.categories) {
        const cat = store.categories.get(c.id);
        if (!cat)
          throw missingRecord(
            'invalidrecord',
            "Can't find data record in database table course_categories.",
            `SELECT * FROM {course_categories} WHERE id = ?\n[array (\n  0 => ${c.id},\n)]`,
          );
        const subtree = [cat, ...store.descendants(cat.id)];
        if (c.recursive) {
          const ids = new Set(subtree.map((x) => x.id));
          for (const course of [...store.courses.values()])
            if (ids.has(course.categoryid)) deleteCourse(store, course.id);
          for (const x of subtree) store.categories.delete(x.id);
        } else {
          const target = c.newparent ?? cat.parent;
          if (target === 0)
            throw moodleException(
              'movecatcontentstoroot',
              'Moving the category content to root is not allowed. You must move the contents to an existing category!',
            );
          for (const course of store.courses.values())
            if (course.categoryid === cat.id) course.categoryid = target;
          for (const child of store.categories.values())
            if (child.parent === cat.id) child.parent = target;
          store.categories.delete(cat.id);
        }
      }
      return null;
    },
  },

  core_course_get_courses_by_field: {
    params: single({ field: v('alpha', { default: '' }), value: v('raw', { default: '' }) }),
    run: (p: { field: string; value: string }, store) => {
      let courses = [...store.courses.values()];
      switch (p.field) {
        case '':
          break;
        case 'id':
          courses = courses.filter((c) => String(c.id) === p.value);
          break;
        case 'ids': {
          const ids = p.value.split(',').map((x) => x.trim());
          // Recorded bug: an unknown id makes Moodle dereference null and die with a PHP Error.
          if (ids.some((id) => !store.courses.has(Number(id))))
            throw new MoodleException(
              'Error',
              undefined,
              'Attempt to assign property "contextvalidated" on null',
            );
          courses = courses.filter((c) => ids.includes(String(c.id)));
          break;
        }
        case 'shortname':
        case 'idnumber':
          courses = courses.filter((c) => c[p.field as 'shortname' | 'idnumber'] === p.value);
          break;
        case 'category':
          courses = courses.filter((c) => String(c.categoryid) === p.value);
          break;
        default:
          throw invalidParameter(`Invalid field name: ${p.field}`);
      }
      return {
        courses: courses.sort((a, b) => a.id - b.id).map((c) => courseByFieldJson(store, c)),
        warnings: [],
      };
    },
  },

  core_course_get_courses: {
    params: single({
      options: single({ ids: multiple(v('int'), { optional: true }) }, { optional: true }),
    }),
    run: (p: { options?: { ids?: number[] } }, store) => {
      const ids = p.options?.ids;
      const courses = ids
        ? ids.map((id) => store.courses.get(id)).filter((c): c is CourseRow => !!c)
        : [...store.courses.values()];
      // No defined order in Moodle; this reversal keeps callers honest about it.
      return courses.reverse().map((c) => courseListJson(store, c));
    },
  },

  core_course_create_courses: {
    params: single({
      courses: multiple(
        single({
          fullname: v('text'),
          shortname: v('text'),
          categoryid: v('int'),
          idnumber: v('raw', { optional: true }),
          summary: v('raw', { optional: true }),
          summaryformat: v('int', { default: 1 }),
          format: v('raw', { default: 'topics' }),
          startdate: v('int', { optional: true }),
          enddate: v('int', { optional: true }),
          visible: v('int', { optional: true }),
        }),
      ),
    }),
    run: (
      p: {
        courses: Array<{
          fullname: string;
          shortname: string;
          categoryid: number;
          idnumber?: string;
          summary?: string;
          format: string;
          startdate?: number;
          enddate?: number;
          visible?: number;
        }>;
      },
      store,
    ) => {
      const created: CourseRow[] = [];
      return transaction(
        () => {
          for (const c of p.courses) {
            if (!store.categories.has(c.categoryid))
              throw missingRecord(
                'invalidrecord',
                "Can't find data record in database table course_categories.",
                `categoryid ${c.categoryid}`,
              );
            if ([...store.courses.values()].some((x) => x.shortname === c.shortname)) {
              throw moodleException(
                'shortnametaken',
                `Short name is already used for another course (${c.shortname})`,
              );
            }
            if (c.idnumber && [...store.courses.values()].some((x) => x.idnumber === c.idnumber)) {
              throw moodleException(
                'courseidnumbertaken',
                `ID number is already used for another course (${c.idnumber})`,
              );
            }
            created.push(
              store.addCourse({
                shortname: c.shortname,
                fullname: c.fullname,
                idnumber: c.idnumber ?? '',
                categoryid: c.categoryid,
                summary: c.summary ?? '',
                format: c.format,
                startdate: c.startdate ?? 0,
                enddate: c.enddate ?? 0,
                visible: c.visible ?? 1,
              }),
            );
          }
          return created.map((c) => ({ id: c.id, shortname: c.shortname }));
        },
        () => {
          for (const c of created) store.courses.delete(c.id);
        },
      );
    },
  },

  core_course_delete_courses: {
    params: single({ courseids: multiple(v('int')) }),
    run: (p: { courseids: number[] }, store) => {
      const warnings: unknown[] = [];
      for (const id of p.courseids) {
        if (!store.courses.has(id) || id === 1) {
          warnings.push({
            item: 'course',
            itemid: id,
            warningcode: 'unknowncourseidnumber',
            message: `Unknown course ID ${id}`,
          });
          continue;
        }
        deleteCourse(store, id);
      }
      return { warnings };
    },
  },

  core_enrol_get_enrolled_users: {
    params: single({
      courseid: v('int'),
      options: multiple(single({ name: v('alphanumext'), value: v('raw') }), { optional: true }),
    }),
    run: (p: { courseid: number; options?: Array<{ name: string; value: string }> }, store) => {
      requireCourse(store, p.courseid);
      const opt = new Map((p.options ?? []).map((o) => [o.name, o.value]));
      const onlyactive = opt.get('onlyactive') === '1';
      const fields = opt
        .get('userfields')
        ?.split(',')
        .map((f) => f.trim());
      const ids = [
        ...new Set(
          store.enrolments
            .filter((e) => e.courseid === p.courseid && (!onlyactive || !e.suspended))
            .map((e) => e.userid),
        ),
      ];
      let users = ids
        .map((id) => store.users.get(id)!)
        .filter((u) => u && !u.deleted && (!onlyactive || !u.suspended))
        .sort((a, b) => a.id - b.id);
      const from = Number(opt.get('limitfrom') ?? 0);
      const count = Number(opt.get('limitnumber') ?? 0);
      users = count > 0 ? users.slice(from, from + count) : users.slice(from);
      return users.map((u) => enrolledUserJson(store, u, p.courseid, fields));
    },
  },

  core_enrol_get_users_courses: {
    params: single({ userid: v('int'), returnusercount: v('bool', { default: true }) }),
    run: (p: { userid: number }, store) => {
      const courseIds = new Set(
        store.enrolments.filter((e) => e.userid === p.userid).map((e) => e.courseid),
      );
      return [...store.courses.values()]
        .filter((c) => courseIds.has(c.id))
        .map((c) => userCourseJson(store, c));
    },
  },

  enrol_manual_enrol_users: {
    params: single({
      enrolments: multiple(
        single({
          roleid: v('int'),
          userid: v('int'),
          courseid: v('int'),
          timestart: v('int', { optional: true }),
          timeend: v('int', { optional: true }),
          suspend: v('bool', { optional: true }),
        }),
      ),
    }),
    run: (
      p: {
        enrolments: Array<{ roleid: number; userid: number; courseid: number; suspend?: boolean }>;
      },
      store,
    ) => {
      // One transaction: every item is checked before anything is written.
      for (const e of p.enrolments) {
        requireCourse(store, e.courseid);
        if (!ASSIGNABLE_IN_COURSE.has(e.roleid))
          throw moodleException(
            'wsusercannotassign',
            "You don't have the permission to assign this role to this user in this course.",
          );
        requireLiveUser(store, e.userid, false);
      }
      for (const e of p.enrolments)
        store.enrol({
          userid: e.userid,
          courseid: e.courseid,
          roleid: e.roleid,
          suspended: e.suspend ?? false,
        });
      return null;
    },
  },

  enrol_manual_unenrol_users: {
    params: single({
      enrolments: multiple(
        single({ userid: v('int'), courseid: v('int'), roleid: v('int', { optional: true }) }),
      ),
    }),
    run: (p: { enrolments: Array<{ userid: number; courseid: number }> }, store) => {
      for (const e of p.enrolments) {
        requireCourse(store, e.courseid);
        requireLiveUser(store, e.userid, false);
      }
      for (const e of p.enrolments)
        store.enrolments = store.enrolments.filter(
          (x) => !(x.userid === e.userid && x.courseid === e.courseid),
        );
      return null;
    },
  },
};

/** Functions that exist in Moodle but that the demo service does not include. */
export const OUT_OF_SERVICE = new Set([
  'core_message_send_instant_messages',
  'core_course_update_courses',
  'core_role_assign_roles',
  'core_role_unassign_roles',
]);

/** What the gateway's service allows (as core_webservice_get_site_info reports). */
export const SERVICE_FUNCTIONS = Object.keys(FUNCTIONS);

export const ACCESS_DEBUGINFO = (fn: string) =>
  `Access to the function ${fn}() is not allowed.
                     There could be multiple reasons for this:
                     1. The service linked to the user token does not contain the function.
                     2. The service is user-restricted and the user is not listed.
                     3. The service is IP-restricted and the user IP is not listed.
                     4. The service is time-restricted and the time has expired.
                     5. The token is time-restricted and the time has expired.
                     6. The service requires a specific capability which the user does not have.
                     7. The function is called with username/password (no user token is sent)
                     and none of the services has the function to allow the user.
                     These settings can be found in Administration > Site administration
                     > Server > Web services > External services and Manage tokens.`;

function enrolledUserJson(store: MoodleStore, u: UserRow, courseid: number, fields?: string[]) {
  const full: Record<string, unknown> = {
    ...userIdentity(u),
    ...(u.idnumber ? { idnumber: u.idnumber } : {}),
    firstaccess: 0,
    lastaccess: 0,
    lastcourseaccess: 0,
    auth: u.auth,
    suspended: u.suspended,
    roles: store
      .rolesOf(u.id, courseid)
      .map((r) => ({ roleid: r.id, name: r.name, shortname: r.shortname, sortorder: r.sortorder })),
    enrolledcourses: [],
  };
  if (!fields) return full;
  // `fullname` is always there, whatever userfields asks.
  const keep = new Set([...fields, 'fullname']);
  return Object.fromEntries(Object.entries(full).filter(([k]) => keep.has(k)));
}

function deleteCourse(store: MoodleStore, id: number) {
  store.courses.delete(id);
  store.enrolments = store.enrolments.filter((e) => e.courseid !== id);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
