import { usernameFor } from '../domain/accounts';
import { nipOfUser, normalizeNip } from '../domain/linking';
import { toStudent } from '../domain/mapping';
import type { CourseModel, SemesterModel, StudentModel } from '../domain/models';
import { accountsOfNips, takenIdentities } from '../provisioning/accounts';
import { eachConcurrently } from '../provisioning/batches';
import type { WriteDeps } from '../provisioning/context';
import { courseOfSemesterOrFail, semesterOrFail } from '../provisioning/records';
import { roleIn, type Role } from '../provisioning/roles';
import type { EnrolledUser, MoodleUser } from '../upstreams/moodle/schemas';
import type { RosterRow } from '../upstreams/scodoc/types';

/**
 * What a semester → course sync would change, computed from the current state of both systems every time
 * (never from a previous run): applying it, crashing half-way and planning again converges to one end state.
 *
 *   registered (I)      → an account (created if missing) and an active enrolment (added, or un-suspended)
 *   dropped out (D/DEF) → per the leavers policy: KEEP nothing, SUSPEND the enrolment, UNENROL
 *   no longer registered at all → the same, but only for an account the course holds by the link rule: its
 *                         NIP (LINK_STUDENT_BY) is a ScoDoc student's, and its only role there is the sync's
 */
export type LeaverPolicy = 'KEEP' | 'SUSPEND' | 'UNENROL';

export interface SyncFailure {
  nip: string | null;
  step: 'plan' | 'createAccount' | 'enrol' | 'remove' | 'groups';
  message: string;
}

export interface SyncPlan {
  semester: SemesterModel;
  course: CourseModel;
  leavers: LeaverPolicy;
  /** The student role (a standard id not yet seen on the site is verified by the first enrolment). */
  role: Role;
  accountsToCreate: StudentModel[];
  /** Registered students with an account and no active enrolment (or a suspended one). */
  enrolmentsToAdd: Array<{ nip: string; userid: number }>;
  /** Leavers still actively enrolled (SUSPEND) or enrolled at all (UNENROL). */
  enrolmentsToRemove: Array<{ nip: string; userid: number }>;
  /** Students the plan cannot handle (no NIP, several accounts, no e-mail for an account). */
  problems: SyncFailure[];
  /** What the plan read (registered students with their groups, the course's members): the groups step's. */
  read: { roster: RosterRow[]; enrolled: EnrolledUser[] };
}

export async function planSync(
  deps: WriteDeps,
  input: { semesterId: number; courseId?: number | null; leavers: LeaverPolicy },
): Promise<SyncPlan> {
  const semester = await semesterOrFail(deps, input.semesterId);
  const course = await courseOfSemesterOrFail(deps, semester, input.courseId);

  // The long form for registered students: an account needs their e-mail.
  // One state per call (scodoc-evidence.md: `etat=D,DEF` most likely matches nobody).
  const [registered, droppedOut, defaulted, enrolledAll, enrolledActive] = await Promise.all([
    deps.scodoc.formsemestreEtudiants(semester.id, { etat: 'I', long: true }),
    deps.scodoc.formsemestreEtudiants(semester.id, { etat: 'D' }),
    deps.scodoc.formsemestreEtudiants(semester.id, { etat: 'DEF' }),
    deps.moodle.getEnrolledUsers(course.id, {
      userfields: ['id', 'roles', 'idnumber', 'username'],
    }),
    deps.moodle.getEnrolledUsers(course.id, { userfields: ['id'], onlyactive: true }),
  ]);
  const active = new Set(enrolledActive.map((u) => u.id));
  const enrolled = new Set(enrolledAll.map((u) => u.id));
  const role = await roleIn(deps, course, 'student', enrolledAll);

  const problems: SyncFailure[] = [];
  const withNip = (rows: typeof registered) =>
    rows.map(toStudent).filter((s) => {
      if (normalizeNip(s.nip)) return true;
      problems.push({
        nip: null,
        step: 'plan',
        message: `Student ${s.etudid} (${s.lastName}) has no NIP: it cannot be linked to Moodle.`,
      });
      return false;
    });
  const stay = withNip(registered);
  // A long reply without the `email` key at all (not a null one) is personal data withheld from the
  // gateway's account (scodoc-evidence.md: ScoDoc 9.6+, unverified), not students without an address.
  const withheld = registered.length > 0 && registered.every((r) => !('email' in r));
  const go = withNip([...droppedOut, ...defaulted]);
  const { accounts, failures } = await accountsOfNips(
    deps,
    [...stay, ...go].map((s) => normalizeNip(s.nip)!),
  );
  const several = new Set(
    failures.filter((f) => f.reason === 'SEVERAL_ACCOUNTS').map((f) => f.nip),
  );
  for (const f of failures.filter((f) => f.reason === 'SEVERAL_ACCOUNTS'))
    problems.push({ nip: f.nip, step: 'plan', message: f.message });

  const plan: SyncPlan = {
    semester,
    course,
    leavers: input.leavers,
    role,
    accountsToCreate: [],
    enrolmentsToAdd: [],
    enrolmentsToRemove: [],
    problems,
    read: { roster: registered, enrolled: enrolledAll },
  };
  for (const s of stay) {
    const nip = normalizeNip(s.nip)!;
    if (several.has(nip)) continue;
    const account: MoodleUser | undefined = accounts.get(nip);
    if (!account) {
      if (s.email) plan.accountsToCreate.push(s);
      else
        problems.push({
          nip,
          step: 'plan',
          message: withheld
            ? `ScoDoc withheld the e-mail of ${nip}: the gateway's ScoDoc account lacks the permission to see personal data (ScoDoc 9.6+), and Moodle needs an e-mail for an account.`
            : `Student ${nip} has no e-mail in ScoDoc: Moodle needs one for an account.`,
        });
    } else if (!active.has(account.id)) {
      // Only the enrolment's status counts: on Moodle 5.0.6 `onlyactive` hides suspended enrolments
      // (../shared/fixtures/moodle/core_enrol_get_enrolled_users.userfields-onlyactive.json) but not users
      // whose whole account is suspended (issue 15, item 7, seen live; no fixture records such a user). So
      // a suspended account with an active enrolment is left alone, one with a suspended enrolment has it
      // re-activated, and nothing repeats on the next run.
      plan.enrolmentsToAdd.push({ nip, userid: account.id });
    }
  }
  await dropTakenIdentities(deps, plan);
  if (input.leavers !== 'KEEP') {
    for (const s of go) {
      const account = accounts.get(normalizeNip(s.nip)!);
      if (!account) continue;
      const remove =
        input.leavers === 'SUSPEND' ? active.has(account.id) : enrolled.has(account.id);
      if (remove) plan.enrolmentsToRemove.push({ nip: normalizeNip(s.nip)!, userid: account.id });
    }
    const inSemester = new Set([...stay, ...go].map((s) => normalizeNip(s.nip)!));
    // Only those the policy would change are asked about (a suspended one stays suspended under SUSPEND).
    const changed = (userid: number) =>
      input.leavers === 'SUSPEND' ? active.has(userid) : enrolled.has(userid);
    plan.enrolmentsToRemove.push(
      ...(await unregisteredLeavers(deps, plan, enrolledAll, inSemester, changed)),
    );
  }
  return plan;
}

/**
 * Enrolled users whom ScoDoc no longer registers in the semester at all (not even D/DEF). A course also holds
 * teachers, guests and accounts made by hand, so only those the sync itself would have enrolled count: the
 * sync's role and no other (a student who also teaches there is left alone), and a NIP under the student
 * rule that belongs to a ScoDoc student (asked per candidate: leavers are few, and an account whose NIP
 * ScoDoc does not know is not the sync's to judge). The reply does not say which enrolment method holds a
 * user; the removal goes through enrol_manual_*, which acts on the manual enrolment only.
 */
async function unregisteredLeavers(
  deps: WriteDeps,
  plan: SyncPlan,
  enrolledAll: EnrolledUser[],
  inSemester: Set<string>,
  changed: (userid: number) => boolean,
): Promise<Array<{ nip: string; userid: number }>> {
  const candidates = enrolledAll.flatMap((u) => {
    const nip = nipOfUser(deps.linking, u);
    const roles = u.roles ?? [];
    const ours = roles.length > 0 && roles.every((r) => r.roleid === plan.role.id);
    return nip && ours && !inSemester.has(nip) && changed(u.id) ? [{ nip, userid: u.id }] : [];
  });
  // ScoDoc has no batch look-up of étudiants: one call each, a few at a time, so a course still holding a
  // past year's students cannot flood ScoDoc (or the gateway's queue for it).
  const known = new Set<string>();
  await eachConcurrently(candidates, deps.syncConcurrency ?? 4, async (c) => {
    if ((await deps.scodoc.etudiants({ nip: c.nip })).length > 0) known.add(c.nip);
  });
  return candidates.filter((c) => known.has(c.nip));
}

/**
 * Students whose username or e-mail is already taken in Moodle are problems, not accounts to create: a
 * sync never makes a second account for someone (createMoodleAccount refuses them the same way).
 */
async function dropTakenIdentities(deps: WriteDeps, plan: SyncPlan): Promise<void> {
  if (plan.accountsToCreate.length === 0) return;
  const usernames = plan.accountsToCreate.map((s) => usernameFor(deps.accounts, s));
  const taken = await takenIdentities(
    deps,
    usernames,
    plan.accountsToCreate.map((s) => s.email!),
  );
  plan.accountsToCreate = plan.accountsToCreate.filter((s, i) => {
    const nip = normalizeNip(s.nip)!;
    if (taken.usernames.has(usernames[i]!)) {
      plan.problems.push({
        nip,
        step: 'plan',
        message: `The username ${usernames[i]} is already taken in Moodle.`,
      });
      return false;
    }
    if (s.email && taken.emails.has(s.email)) {
      plan.problems.push({
        nip,
        step: 'plan',
        message: `Moodle user ${taken.emails.get(s.email)} already has the e-mail of ${nip}.`,
      });
      return false;
    }
    return true;
  });
}
