import { multiple, single, v } from '../params';
import type { CourseRow, MoodleStore, UserRow } from '../store';
import { userCourseJson } from './course-shapes';
import {
  missingRecord,
  moodleException,
  requireLiveUser,
  userIdentity,
  type WsFunction,
} from './shared';

/** core_enrol_* look-ups and enrol_manual_*: who is in a course, a user's courses, (un)enrolling. */

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

export const ENROLMENT_FUNCTIONS: Record<string, WsFunction> = {
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
      // `onlyactive` filters on the enrolment only: a suspended enrolment is left out
      // (../shared/fixtures/moodle/core_enrol_get_enrolled_users.userfields-onlyactive.json), a user whose
      // whole account is suspended is not (Moodle 5.0.6, issue 15 item 7; no fixture records that case).
      let users = ids
        .map((id) => store.users.get(id)!)
        .filter((u) => u && !u.deleted)
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
        if (!store.assignableInCourse(e.roleid))
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
