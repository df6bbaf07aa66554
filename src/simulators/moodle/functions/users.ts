import { multiple, single, v } from '../params';
import type { MoodleStore, UserRow } from '../store';
import {
  invalidParameter,
  moodleException,
  requireLiveUser,
  transaction,
  userIdentity,
  type WsFunction,
} from './shared';

/** core_user_*: look-ups (deleted users included or not, as Moodle does), creation, update, soft deletion. */

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

function userJson(store: MoodleStore, u: UserRow): Record<string, unknown> {
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

export const USER_FUNCTIONS: Record<string, WsFunction> = {
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
      // What a web-service user without these capabilities sees (moodle-live-findings.md, and observed on
      // the live site with the README's capability list): other users are not found by username, idnumber
      // or e-mail, and come back by id without username, idnumber and auth (viewalldetails) or e-mail
      // (viewuseridentity). The user always sees itself whole.
      const me = store.userByUsername('wsgateway');
      const allDetails = !store.withoutCapabilities.has('moodle/user:viewalldetails');
      const identity = !store.withoutCapabilities.has('moodle/site:viewuseridentity');
      const visible = (u: UserRow) =>
        u === me || p.field === 'id' || (p.field === 'email' ? identity && allDetails : allDetails);
      // Deleted users are NOT filtered out (recorded behaviour); sorted by id.
      return [...store.users.values()]
        .filter((u) => match(u) && visible(u))
        .sort((a, b) => a.id - b.id)
        .map((u) => {
          const json = userJson(store, u);
          if (u === me) return json;
          if (!allDetails) for (const k of ['username', 'idnumber', 'auth']) delete json[k];
          if (!identity) delete json.email;
          return json;
        });
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
      // PARAM_AUTH: checked with every parameter, before anything is created; the debuginfo is the
      // recorded one (moodle-2026-12/core_user_create_users.error-auth-plugin-missing).
      for (const u of p.users)
        if (!store.authPlugins.has(String(u.auth)))
          throw invalidParameter(
            `users => Invalid parameter value detected: auth => Invalid parameter value detected: Invalid external api parameter: the value is "${u.auth}", the server was expecting "auth" type`,
          );
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
};

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
