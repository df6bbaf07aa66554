import { userInfo } from 'node:os';
import { auditLine, failureOf } from '../audit';
import type { Logger } from '../log';
import { normalizeNip } from '../domain/linking';
import type { Trail } from '../provisioning/context';
import type { SyncReport } from '../sync/apply';
import type { SyncPlan } from '../sync/plan';

/**
 * The audit of `campusgraph sync`, as the mutations have theirs (src/audit.ts): a run line (who, semester,
 * course, dry run or apply, leavers policy, counts) and, when applied, one line per step with the students
 * it changed. A terminal run that creates thousands of accounts must leave the same trace as an API call.
 */

/** Who runs the CLI: the operating-system account (a container may have no passwd entry for it). */
export function cliCaller(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
  }
}

export interface SyncAuditInput {
  semesterId: number;
  courseId?: number | null;
  dryRun: boolean;
  leavers: string;
}

/** The NIPs of Moodle user ids, read back (only when the report cannot tell which accounts were made). */
export type NipsOfUsers = (userids: number[]) => Promise<string[]>;

export async function auditSyncRun(
  log: Logger,
  who: string,
  input: SyncAuditInput,
  started: number,
  outcome:
    | { plan: SyncPlan; report: SyncReport; trail: Trail; nipsOfUsers: NipsOfUsers }
    | { error: unknown },
): Promise<void> {
  const base = {
    command: 'sync',
    who,
    semesterId: input.semesterId,
    courseId: input.courseId ?? null,
    dryRun: input.dryRun,
    leavers: input.leavers,
  };
  if ('error' in outcome) {
    const { outcome: name, fields } = failureOf(outcome.error);
    auditLine(log, 'sync', name, { ...base, ms: Date.now() - started, ...fields });
    return;
  }
  const { plan, report, trail, nipsOfUsers } = outcome;
  if (!report.dryRun)
    for (const step of await stepsOf(plan, report, trail, nipsOfUsers))
      auditLine(log, 'sync', step.step, { ...base, courseId: plan.course.id, ...step });
  auditLine(log, 'sync', 'success', {
    ...base,
    courseId: plan.course.id,
    counts: {
      accountsToCreate: report.accountsToCreate,
      accountsCreated: report.accountsCreated,
      enrolmentsToAdd: report.enrolmentsToAdd,
      enrolmentsAdded: report.enrolmentsAdded,
      enrolmentsToRemove: report.enrolmentsToRemove,
      enrolmentsRemoved: report.enrolmentsRemoved,
      failures: report.failures.length,
    },
    ms: Date.now() - started,
  });
}

/**
 * What each step changed. User ids come from the trail (apply.ts touches one record per item done); NIPs
 * from the plan's items with those ids. A new account's id is not in the plan, so the NIPs of the accounts
 * created are the planned ones the report lists neither as failed nor as unknown at that step — unless a
 * halted step reported its skipped students in one line without NIPs: then the new accounts are read back.
 */
async function stepsOf(plan: SyncPlan, report: SyncReport, trail: Trail, nipsOfUsers: NipsOfUsers) {
  const ids = (prefix: string) =>
    trail.touched.filter((t) => t.startsWith(prefix)).map((t) => Number(t.slice(prefix.length)));
  const nipsOf = (items: Array<{ nip: string; userid: number }>, userids: number[]) => {
    const wanted = new Set(userids);
    return items.filter((e) => wanted.has(e.userid)).map((e) => e.nip);
  };
  const failedAt = (step: string) =>
    new Set(
      [...report.failures, ...report.unknown].filter((f) => f.step === step).map((f) => f.nip),
    );
  const failed = failedAt('createAccount');
  const notEnrolled = failedAt('enrol');
  const createdIds = ids('moodle:user:');
  const enrolledIds = ids(`moodle:enrolment:${plan.course.id}:`);
  const removal = plan.leavers === 'SUSPEND' ? 'suspension' : 'unenrolment';
  const removedIds = ids(`moodle:${removal}:${plan.course.id}:`);
  const planned = plan.accountsToCreate
    .map((s) => normalizeNip(s.nip)!)
    .filter((nip) => !failed.has(nip));
  const created =
    planned.length === report.accountsCreated
      ? planned
      : // The sync is applied by now: a failed read-back leaves the ids (in `userids`) as the trace.
        await nipsOfUsers(createdIds).catch(() => []);
  // Existing accounts by the plan; the new ones are the accounts created just above (read back likewise).
  const existing = nipsOf(plan.enrolmentsToAdd, enrolledIds);
  const fresh = created.filter((nip) => !notEnrolled.has(nip));
  const known = new Set(plan.enrolmentsToAdd.map((e) => e.userid));
  const enrolled =
    existing.length + fresh.length === report.enrolmentsAdded
      ? [...existing, ...fresh]
      : [
          ...existing,
          ...(await nipsOfUsers(enrolledIds.filter((id) => !known.has(id))).catch(() => [])),
        ];
  return [
    { step: 'accountsCreated', count: report.accountsCreated, userids: createdIds, nips: created },
    {
      step: 'enrolmentsAdded',
      count: report.enrolmentsAdded,
      userids: enrolledIds,
      nips: enrolled,
    },
    {
      step: 'enrolmentsRemoved',
      count: report.enrolmentsRemoved,
      how: removal,
      userids: removedIds,
      nips: nipsOf(plan.enrolmentsToRemove, removedIds),
    },
  ];
}
