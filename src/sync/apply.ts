import { newAccountFor } from '../domain/accounts';
import { listKeys } from '../domain/list-cache';
import { normalizeNip } from '../domain/linking';
import type { StudentModel } from '../domain/models';
import {
  applyIsolatingFailures,
  inChunks,
  type Halt,
  type NipFailure,
} from '../provisioning/batches';
import type { Trail, WriteDeps } from '../provisioning/context';
import { enrolFirstVerifying } from '../provisioning/roles';
import type { SyncFailure, SyncPlan } from './plan';

export interface SyncReport {
  dryRun: boolean;
  accountsToCreate: number;
  accountsCreated: number;
  enrolmentsToAdd: number;
  enrolmentsAdded: number;
  enrolmentsToRemove: number;
  enrolmentsRemoved: number;
  failures: SyncFailure[];
}

export type Progress = (
  step: 'createAccount' | 'enrol' | 'remove',
  done: number,
  total: number,
) => void;

/** Moodle requests per step: items go in chunks of this size so progress is visible and a failure is local. */
const CHUNK = 100;

export function reportOf(plan: SyncPlan, dryRun: boolean): SyncReport {
  return {
    dryRun,
    accountsToCreate: plan.accountsToCreate.length,
    accountsCreated: 0,
    // Accounts to create are enrolled right after: they count among the enrolments to add.
    enrolmentsToAdd: plan.enrolmentsToAdd.length + plan.accountsToCreate.length,
    enrolmentsAdded: 0,
    enrolmentsToRemove: plan.enrolmentsToRemove.length,
    enrolmentsRemoved: 0,
    failures: [...plan.problems],
  };
}

/**
 * Executes a plan: accounts, then enrolments (new accounts included), then leavers. Each step is idempotent
 * in Moodle (an existing enrolment is re-enrolled, an absent one unenrolled without error), and accounts are
 * found again by idnumber when planning: a second apply, or a re-run after a crash, does only what is left
 * and never creates an account twice.
 */
export async function applySync(
  deps: WriteDeps,
  trail: Trail,
  plan: SyncPlan,
  progress: Progress = () => {},
): Promise<SyncReport> {
  const report = reportOf(plan, false);
  // Whatever happens below, the course's cached enrolment list is no longer the truth.
  deps.lists.invalidate(listKeys.courseEnrolments(plan.course.id));
  const failures: NipFailure[] = [];

  const created = await createAccounts(deps, trail, plan.accountsToCreate, failures, progress);
  report.accountsCreated = created.length;
  for (const f of failures.splice(0))
    report.failures.push({ nip: f.nip, step: 'createAccount', message: f.message });

  const toEnrol = [...plan.enrolmentsToAdd, ...created].map((e) => ({
    nip: e.nip,
    enrolment: { roleid: plan.role.id, userid: e.userid, courseid: plan.course.id, suspend: false },
  }));
  const enrolHalt: Halt = { reason: null };
  const first = await enrolFirstVerifying(deps, plan.role, toEnrol, failures);
  const enrolled = first.done;
  enrolled.push(
    ...(await inChunks(
      toEnrol.slice(first.handled),
      CHUNK,
      (batch) =>
        applyIsolatingFailures(
          batch,
          (b) => deps.moodle.enrolUsers(b.map((x) => x.enrolment)),
          failures,
          enrolHalt,
        ),
      (n) => progress('enrol', first.handled + n, toEnrol.length),
    )),
  );
  report.enrolmentsAdded = enrolled.length;
  for (const e of enrolled)
    trail.touch('moodle', `enrolment:${plan.course.id}`, e.enrolment.userid);
  for (const f of failures.splice(0))
    report.failures.push({ nip: f.nip, step: 'enrol', message: f.message });

  const leavers = plan.enrolmentsToRemove.map((e) => ({ nip: e.nip, userid: e.userid }));
  const remove =
    plan.leavers === 'SUSPEND'
      ? (batch: typeof leavers) =>
          deps.moodle.enrolUsers(
            batch.map((e) => ({
              roleid: plan.role.id,
              userid: e.userid,
              courseid: plan.course.id,
              suspend: true,
            })),
          )
      : (batch: typeof leavers) =>
          deps.moodle.unenrolUsers(
            batch.map((e) => ({ userid: e.userid, courseid: plan.course.id })),
          );
  const removeHalt: Halt = { reason: null };
  const removed = await inChunks(
    leavers,
    CHUNK,
    (batch) => applyIsolatingFailures(batch, remove, failures, removeHalt),
    (n) => progress('remove', n, leavers.length),
  );
  report.enrolmentsRemoved = removed.length;
  for (const e of removed)
    trail.touch(
      'moodle',
      `${plan.leavers === 'SUSPEND' ? 'suspension' : 'unenrolment'}:${plan.course.id}`,
      e.userid,
    );
  for (const f of failures.splice(0))
    report.failures.push({ nip: f.nip, step: 'remove', message: f.message });
  deps.lists.invalidate(listKeys.courseEnrolments(plan.course.id));
  return report;
}

async function createAccounts(
  deps: WriteDeps,
  trail: Trail,
  students: StudentModel[],
  failures: NipFailure[],
  progress: Progress,
) {
  // The plan only lists students with a NIP and an e-mail as accounts to create.
  const items = students.map((s) => ({
    nip: normalizeNip(s.nip)!,
    user: newAccountFor(deps.accounts, { ...s, email: s.email! }),
  }));
  const created: Array<{ nip: string; userid: number }> = [];
  const halt: Halt = { reason: null };
  await inChunks(
    items,
    CHUNK,
    (batch) =>
      applyIsolatingFailures(
        batch,
        async (b) => {
          const ids = await deps.moodle.createUsers(b.map((x) => x.user));
          ids.forEach((u, i) => {
            created.push({ nip: b[i]!.nip, userid: u.id });
            trail.touch('moodle', 'user', u.id);
          });
        },
        failures,
        halt,
      ),
    (n) => progress('createAccount', n, items.length),
  );
  return created;
}
