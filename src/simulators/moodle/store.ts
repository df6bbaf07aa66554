import { createHash } from 'node:crypto';
import { ascii } from '../../domain/text';
import type { DemoUniversity } from '../demo-data/types';
import { GroupTables } from './group-tables';

/** The simulated Moodle database: users (soft-deleted ones kept), categories, courses, manual enrolments. */

export interface UserRow {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  idnumber: string;
  auth: string;
  suspended: boolean;
  deleted: boolean;
  department: string;
  institution: string;
  city: string;
  lang: string;
  siteAdmin: boolean;
}

export interface CategoryRow {
  id: number;
  name: string;
  idnumber: string;
  description: string;
  parent: number;
  sortorder: number;
  visible: number;
  timemodified: number;
}

export interface CourseRow {
  id: number;
  shortname: string;
  fullname: string;
  idnumber: string;
  categoryid: number;
  summary: string;
  format: string;
  visible: number;
  startdate: number;
  enddate: number;
  timecreated: number;
  sortorder: number;
}

export interface EnrolmentRow {
  userid: number;
  courseid: number;
  roleid: number;
  suspended: boolean;
}

const STOCK_AUTH_PLUGINS = [
  'manual',
  'ldap',
  'shibboleth',
  'oauth2',
  'email',
  'nologin',
  'db',
  'lti',
  'mnet',
  'webservice',
];

const ROLES: Array<{ id: number; shortname: string; name: string; sortorder: number }> = [
  { id: 1, shortname: 'manager', name: '', sortorder: 1 },
  { id: 2, shortname: 'coursecreator', name: '', sortorder: 2 },
  { id: 3, shortname: 'editingteacher', name: '', sortorder: 3 },
  { id: 4, shortname: 'teacher', name: '', sortorder: 4 },
  { id: 5, shortname: 'student', name: '', sortorder: 5 },
  { id: 6, shortname: 'guest', name: '', sortorder: 6 },
  { id: 7, shortname: 'user', name: '', sortorder: 7 },
  { id: 8, shortname: 'frontpage', name: '', sortorder: 8 },
];
/** Roles a manual enrolment may give (Moodle's default "allow assign" for course contexts). */
const ASSIGNABLE_IN_COURSE = new Set(['manager', 'editingteacher', 'teacher', 'student']);

export class MoodleStore {
  readonly users = new Map<number, UserRow>();
  readonly categories = new Map<number, CategoryRow>();
  readonly courses = new Map<number, CourseRow>();
  enrolments: EnrolmentRow[] = [];
  readonly groups = new GroupTables();
  private readonly seq = { user: 1, category: 1, course: 1 };
  /** Moodle time (Unix seconds); advances one second per write so timestamps differ like real ones. */
  clock: number;
  /**
   * The auth plugins the site has. A stock Moodle 5.0.6 has these (moodle-live-findings.md); CAS left core in
   * 5.0 (MDL-78778), so `cas` is not among them unless a test adds it.
   */
  readonly authPlugins = new Set(STOCK_AUTH_PLUGINS);
  /**
   * The site's roles: a standard install's ids (moodle-live-findings.md) unless a test renumbers them, as a
   * site that created or deleted roles has.
   */
  readonly roles = ROLES.map((r) => ({ ...r }));
  /** Capabilities a test takes from the web-service user's role (only those the simulator models). */
  readonly withoutCapabilities = new Set<string>();
  /** Functions of the gateway's external service; a test removes one to play a service that lacks it. */
  serviceFunctions: Set<string> | null = null;

  constructor(
    readonly siteUrl: string,
    startTime: number,
  ) {
    this.clock = startTime;
    this.addUser({
      username: 'guest',
      firstname: 'Guest user',
      lastname: ' ',
      email: 'root@localhost',
      idnumber: '',
      auth: 'manual',
    });
    this.addUser({
      username: 'admin',
      firstname: 'Admin',
      lastname: 'User',
      email: 'admin@univ-demo.fr',
      idnumber: '',
      auth: 'manual',
      siteAdmin: true,
    });
    this.addUser({
      username: 'wsgateway',
      firstname: 'WS',
      lastname: 'Gateway',
      email: 'wsgateway@univ-demo.fr',
      idnumber: '',
      auth: 'manual',
    });
    this.addCategory({ name: 'Category 1', idnumber: '', description: '', parent: 0 });
    this.addCourse({
      shortname: 'campus',
      fullname: 'Campus',
      idnumber: '',
      categoryid: 0,
      format: 'site',
      summary: '',
    });
  }

  static fromUniversity(u: DemoUniversity, siteUrl: string): MoodleStore {
    const store = new MoodleStore(siteUrl, Math.floor(Date.parse(`${u.today}T08:00:00Z`) / 1000));
    const categoryOf = new Map<number, number>();
    for (const d of u.departments.filter((d) => d.hasMoodleCategory)) {
      categoryOf.set(
        d.id,
        store.addCategory({
          name: d.name,
          idnumber: d.moodleCategoryIdnumber ?? d.acronym,
          description: d.description,
          parent: 0,
        }).id,
      );
    }
    const courseOfSemester = new Map<number, number>();
    for (const s of u.semesters.filter((s) => s.hasMoodleCourse)) {
      const course = store.addCourse({
        shortname: s.sessionId,
        fullname: `${s.titreNum} (${s.modalite}) ${s.anneeScolaire}-${s.anneeScolaire + 1}`,
        idnumber: s.sessionId,
        categoryid: categoryOf.get(s.deptId) ?? 1,
        summary: '',
        format: 'topics',
        startdate: unix(s.dateDebut),
        enddate: unix(s.dateFin),
      });
      courseOfSemester.set(s.id, course.id);
    }
    const acronymToCategory = new Map(u.departments.map((d) => [d.acronym, categoryOf.get(d.id)]));
    for (const c of u.extraCourses) {
      store.addCourse({
        shortname: c.shortname,
        fullname: c.fullname,
        idnumber: c.idnumber ?? '',
        categoryid: (c.deptAcronym && acronymToCategory.get(c.deptAcronym)) || 1,
        summary: '',
        format: 'topics',
        visible: c.visible ? 1 : 0,
      });
    }

    // One account per person: records sharing a NIP (one per département) share the first one's account.
    const accountOfNip = new Map<string, number>();
    const accountOfEtudid = new Map<number, number>();
    for (const s of u.students) {
      if (s.moodle === 'none') continue;
      const existing = s.nip ? accountOfNip.get(s.nip) : undefined;
      if (existing !== undefined) {
        accountOfEtudid.set(s.etudid, existing);
        continue;
      }
      const user = store.addUser({
        username: store.freeUsername(`${ascii(s.prenom)}.${ascii(s.nom)}`),
        firstname: s.prenom,
        lastname: s.nom,
        email: s.email,
        idnumber: s.moodleIdnumber ?? '',
        auth: 'cas',
        suspended: s.moodle === 'suspended',
      });
      if (s.nip) accountOfNip.set(s.nip, user.id);
      accountOfEtudid.set(s.etudid, user.id);
    }
    const accountOfUsername = new Map<string, number>();
    for (const m of u.moodleOnlyUsers) {
      const user = store.addUser({
        username: m.username,
        firstname: m.firstname,
        lastname: m.lastname,
        email: m.email,
        idnumber: m.idnumber ?? '',
        auth: m.auth,
        suspended: m.suspended,
        siteAdmin: m.isSiteAdmin,
      });
      accountOfUsername.set(m.username, user.id);
    }
    const courseByShortname = new Map([...store.courses.values()].map((c) => [c.shortname, c.id]));
    for (const e of u.enrolments) {
      const userid =
        e.etudid !== undefined
          ? accountOfEtudid.get(e.etudid)
          : accountOfUsername.get(e.username ?? '');
      const courseid =
        e.formsemestreId !== undefined
          ? courseOfSemester.get(e.formsemestreId)
          : courseByShortname.get(e.courseShortname ?? '');
      const roleid = store.roles.find((r) => r.shortname === e.role)!.id;
      if (userid !== undefined && courseid !== undefined)
        store.enrol({ userid, courseid, roleid, suspended: e.suspended });
    }
    // Accounts deleted after their enrolments were made: Moodle removes the enrolments and scrambles the user.
    for (const s of u.students.filter((s) => s.moodle === 'soft-deleted')) {
      const id = accountOfEtudid.get(s.etudid);
      if (id !== undefined && !store.users.get(id)!.deleted) store.softDelete(store.users.get(id)!);
    }
    return store;
  }

  /** Moves an id sequence forward, to reproduce another site's ids (the contract test does). */
  skipIdsTo(kind: 'user' | 'category' | 'course', next: number): void {
    this.seq[kind] = Math.max(this.seq[kind], next);
  }

  tick(): number {
    this.clock += 1;
    return this.clock;
  }

  addUser(
    u: Partial<UserRow> &
      Pick<UserRow, 'username' | 'firstname' | 'lastname' | 'email' | 'idnumber' | 'auth'>,
  ): UserRow {
    const row: UserRow = {
      suspended: false,
      deleted: false,
      department: '',
      institution: '',
      city: '',
      lang: 'en',
      siteAdmin: false,
      ...u,
      id: this.seq.user++,
    };
    this.users.set(row.id, row);
    return row;
  }

  freeUsername(base: string): string {
    const taken = new Set([...this.users.values()].map((u) => u.username));
    let name = base;
    for (let n = 2; taken.has(name); n += 1) name = `${base}${n}`;
    return name;
  }

  /** What delete_user() does: enrolments go, the record stays with its identity scrambled. */
  softDelete(user: UserRow): void {
    const stamp = this.tick();
    this.enrolments = this.enrolments.filter((e) => e.userid !== user.id);
    user.deleted = true;
    const oldUsername = user.username;
    user.username = `${user.email}.${stamp}`;
    user.email = createHash('md5').update(oldUsername).digest('hex');
    user.idnumber = '';
  }

  addCategory(c: Pick<CategoryRow, 'name' | 'idnumber' | 'description' | 'parent'>): CategoryRow {
    const row: CategoryRow = {
      ...c,
      id: this.seq.category++,
      sortorder: 10000 * this.seq.category,
      visible: 1,
      timemodified: this.tick(),
    };
    this.categories.set(row.id, row);
    return row;
  }

  categoryPath(c: CategoryRow): number[] {
    const path: number[] = [];
    for (let cur: CategoryRow | undefined = c; cur; cur = this.categories.get(cur.parent))
      path.unshift(cur.id);
    return path;
  }

  descendants(id: number): CategoryRow[] {
    const out: CategoryRow[] = [];
    for (const c of this.categories.values())
      if (c.id !== id && this.categoryPath(c).includes(id)) out.push(c);
    return out;
  }

  addCourse(
    c: Pick<
      CourseRow,
      'shortname' | 'fullname' | 'idnumber' | 'categoryid' | 'summary' | 'format'
    > &
      Partial<CourseRow>,
  ): CourseRow {
    const now = this.tick();
    const row: CourseRow = {
      visible: 1,
      startdate: 0,
      enddate: 0,
      ...c,
      id: this.seq.course++,
      timecreated: now,
      sortorder: 10000 + this.seq.course,
    };
    this.courses.set(row.id, row);
    return row;
  }

  enrol(e: EnrolmentRow): void {
    const existing = this.enrolments.find(
      (x) => x.userid === e.userid && x.courseid === e.courseid,
    );
    if (!existing) {
      this.enrolments.push({ ...e });
      return;
    }
    // Re-enrolling keeps the enrolment, adds the role if new, and applies the suspend flag when given.
    existing.suspended = e.suspended;
    if (
      !this.enrolments.some(
        (x) => x.userid === e.userid && x.courseid === e.courseid && x.roleid === e.roleid,
      )
    ) {
      this.enrolments.push({ ...e });
    }
    for (const x of this.enrolments)
      if (x.userid === e.userid && x.courseid === e.courseid) x.suspended = e.suspended;
  }

  userByUsername(username: string): UserRow | undefined {
    for (const u of this.users.values()) if (u.username === username && !u.deleted) return u;
    return undefined;
  }

  rolesOf(userid: number, courseid: number) {
    const ids = new Set(
      this.enrolments
        .filter((e) => e.userid === userid && e.courseid === courseid)
        .map((e) => e.roleid),
    );
    return this.roles.filter((r) => ids.has(r.id));
  }

  /** Whether a manual enrolment may give this role id. */
  assignableInCourse(roleid: number): boolean {
    const role = this.roles.find((r) => r.id === roleid);
    return role !== undefined && ASSIGNABLE_IN_COURSE.has(role.shortname);
  }
}

function unix(isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / 1000);
}
