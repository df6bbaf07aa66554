import { newAccountFor } from '../domain/accounts';
import { listKeys } from '../domain/list-cache';
import { normalizeNip } from '../domain/linking';
import type { StudentModel } from '../domain/models';
import {
  applyIsolatingFailures,
  inChunks,
  newHalt,
  type BatchOutcome,
  type Halt,
  type NipFailure,
} from '../provisioning/batches';
import type { Trail, WriteDeps } from '../provisioning/context';
import { enrolledIds, settleLost, usersByUsername, type Reread } from '../provisioning/reread';
import { enrolFirstVerifying } from '../provisioning/roles';
import type { GroupsReport } from './groups-report';
import { applyGroupsStep, type GroupsOptions } from './groups-step';
import type { SyncFailure, SyncPlan } from './plan';

type Step = 'createAccount' | 'enrol' | 'remove' | 'groups';

export interface SyncReport {
  dryRun: boolean;
  accountsToCreate: number;
  accountsCreated: number;
  enrolmentsToAdd: number;
  enrolmentsAdded: number;
  enrolmentsToRemove: number;
  enrolmentsRemoved: number;
  /** The groups step (null: skipped, or its plan failed, see failures). */
  groups: GroupsReport | null;
  failures: SyncFailure[];
  /** Writes sent whose answer was lost and which could not be read back either: maybe done, maybe not. */
  unknown: SyncFailure[];
}

export type Progress = (step: Step, done: number, total: number) => void;

/** Moodle requests per step: items go in chunks of this size so progress is visible and a failure is local. */
const CHUNK = 100;
/** The PHP workers of the Moodle 5.0.6 site measured in issue 15: more chunks at once would only queue. */
const DEFAULT_CONCURRENCY = 4;

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
    groups: null,
    failures: [...plan.problems],
    unknown: [],
  };
}

type Item = { nip: string; userid: number };

/** One step's chunks, concurrently, with its halt, its refusals and its lost answers. */
async function runStep<T extends { nip: string }>(
  deps: WriteDeps,
  items: T[],
  write: (batch: T[]) => Promise<void>,
  onProgress: (n: number) => void,
) {
  const failures: NipFailure[] = [];
  const halt = newHalt();
  const outcome: BatchOutcome<T> = { done: [], uncertain: [] };
  await inChunks(
    items,
    CHUNK,
    (batch) => applyIsolatingFailures(batch, write, failures, halt, outcome),
    onProgress,
    deps.syncConcurrency ?? DEFAULT_CONCURRENCY,
  );
  return { failures, halt, outcome };
}

/** A step's failures into the report: one line per student refused, one line for a halted step. */
function record<T extends { nip: string }, D>(
  report: SyncReport,
  step: Step,
  failures: NipFailure[],
  halt: Halt,
  reread: Reread<T, D>,
) {
  for (const f of failures) report.failures.push({ nip: f.nip, step, message: f.message });
  if (halt.reason)
    report.failures.push({
      nip: null,
      step,
      message: `${halt.reason.message} (${halt.skipped} student(s) not handled: the step stopped, nothing more was sent)`,
    });
  for (const n of reread.notDone)
    report.failures.push({ nip: n.item.nip, step, message: n.message });
  for (const u of reread.unknown)
    report.unknown.push({ nip: u.item.nip, step, message: u.message });
}

/**
 * Executes a plan: accounts, then enrolments (new accounts included), then leavers, then groups. Each step is idempotent
 * in Moodle (an existing enrolment is re-enrolled, an absent one unenrolled without error), and accounts are
 * found again by idnumber when planning: a second apply, or a re-run after a crash, does only what is left
 * and never creates an account twice. A write whose answer was lost is read back before it is reported.
 */
export async function applySync(
  deps: WriteDeps,
  trail: Trail,
  plan: SyncPlan,
  progress: Progress = () => {},
  groups: GroupsOptions = { policy: 'SYNC', removeEmptyGroups: false },
): Promise<SyncReport> {
  const report = reportOf(plan, false);
  // Whatever happens below, the course's cached enrolment list is no longer the truth.
  deps.lists.invalidate(listKeys.courseEnrolments(plan.course.id));
  const created = await createAccounts(deps, trail, plan.accountsToCreate, report, progress);
  report.accountsCreated = created.length;
  const enrolled = await enrol(deps, plan, [...plan.enrolmentsToAdd, ...created], report, progress);
  report.enrolmentsAdded = enrolled.length;
  for (const e of enrolled) trail.touch('moodle', `enrolment:${plan.course.id}`, e.userid);
  const removed = await removeLeavers(deps, plan, report, progress);
  report.enrolmentsRemoved = removed.length;
  for (const e of removed)
    trail.touch(
      'moodle',
      `${plan.leavers === 'SUSPEND' ? 'suspension' : 'unenrolment'}:${plan.course.id}`,
      e.userid,
    );
  deps.lists.invalidate(listKeys.courseEnrolments(plan.course.id));
  await applyGroupsStep(deps, trail, plan, groups, report, (done, total) =>
    progress('groups', done, total),
  );
  return report;
}

async function enrol(
  deps: WriteDeps,
  plan: SyncPlan,
  toAdd: Item[],
  report: SyncReport,
  progress: Progress,
): Promise<Item[]> {
  const toEnrol = toAdd.map((e) => ({
    ...e,
    enrolment: { roleid: plan.role.id, userid: e.userid, courseid: plan.course.id, suspend: false },
  }));
  const verifying: NipFailure[] = [];
  const first = await enrolFirstVerifying(deps, plan.role, toEnrol, verifying);
  for (const f of verifying)
    report.failures.push({ nip: f.nip, step: 'enrol', message: f.message });
  const { failures, halt, outcome } = await runStep(
    deps,
    toEnrol.slice(first.handled),
    (b) => deps.moodle.enrolUsers(b.map((x) => x.enrolment)),
    (n) => progress('enrol', first.handled + n, toEnrol.length),
  );
  const reread = await settleLost(
    outcome.uncertain,
    () => enrolledIds(deps, plan.course.id, true),
    (active, item) => (active.has(item.userid) ? item : null),
  );
  record(report, 'enrol', failures, halt, reread);
  return [...first.done, ...outcome.done, ...reread.done];
}

async function removeLeavers(
  deps: WriteDeps,
  plan: SyncPlan,
  report: SyncReport,
  progress: Progress,
): Promise<Item[]> {
  const leavers = plan.enrolmentsToRemove.map((e) => ({ nip: e.nip, userid: e.userid }));
  const courseid = plan.course.id;
  const suspend = plan.leavers === 'SUSPEND';
  const { failures, halt, outcome } = await runStep(
    deps,
    leavers,
    (batch) =>
      suspend
        ? deps.moodle.enrolUsers(
            batch.map((e) => ({ roleid: plan.role.id, userid: e.userid, courseid, suspend })),
          )
        : deps.moodle.unenrolUsers(batch.map((e) => ({ userid: e.userid, courseid }))),
    (n) => progress('remove', n, leavers.length),
  );
  // Suspended: no longer among the active enrolments; unenrolled: no longer enrolled at all.
  const reread = await settleLost(
    outcome.uncertain,
    () => enrolledIds(deps, courseid, suspend),
    (still, item) => (still.has(item.userid) ? null : item),
  );
  record(report, 'remove', failures, halt, reread);
  return [...outcome.done, ...reread.done];
}

async function createAccounts(
  deps: WriteDeps,
  trail: Trail,
  students: StudentModel[],
  report: SyncReport,
  progress: Progress,
): Promise<Item[]> {
  // The plan only lists students with a NIP and an e-mail as accounts to create.
  const items = students.map((s) => ({
    nip: normalizeNip(s.nip)!,
    user: newAccountFor(deps.accounts, { ...s, email: s.email! }),
  }));
  const created: Item[] = [];
  const { failures, halt, outcome } = await runStep(
    deps,
    items,
    async (b) => {
      const ids = await deps.moodle.createUsers(b.map((x) => x.user));
      ids.forEach((u, i) => created.push({ nip: b[i]!.nip, userid: u.id }));
    },
    (n) => progress('createAccount', n, items.length),
  );
  const reread = await settleLost(
    outcome.uncertain,
    () =>
      usersByUsername(
        deps,
        outcome.uncertain.map((l) => l.item.user.username),
      ),
    (ids, item) => {
      const userid = ids.get(item.user.username);
      return userid === undefined ? null : { nip: item.nip, userid };
    },
  );
  record(report, 'createAccount', failures, halt, reread);
  created.push(...reread.done);
  for (const c of created) trail.touch('moodle', 'user', c.userid);
  return created;
}
