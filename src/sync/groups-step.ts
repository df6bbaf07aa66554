import { DEFAULT_GROUP_LINK } from '../domain/group-linking';
import { normalizeNip } from '../domain/linking';
import type { Trail, WriteDeps } from '../provisioning/context';
import { isUpstreamError } from '../upstreams/errors';
import type { SyncReport } from './apply';
import { applyGroups } from './groups-apply';
import { planGroups, type GroupsPlan } from './groups-plan';
import { groupsReportOf } from './groups-report';
import type { SyncPlan } from './plan';

/** The groups step's input: SKIP makes no group call at all. */
export interface GroupsOptions {
  policy: 'SYNC' | 'SKIP';
  removeEmptyGroups: boolean;
}

/**
 * The groups plan, or a failure line when Moodle or ScoDoc refused a read: the enrolment steps' report
 * stands either way. `prospective` are the students the earlier steps enrol (dry run only).
 */
async function groupsPlanOf(
  deps: WriteDeps,
  plan: SyncPlan,
  opts: GroupsOptions,
  report: SyncReport,
  enrolled: SyncPlan['read']['enrolled'] | undefined,
  prospective?: Map<string, number>,
): Promise<GroupsPlan | null> {
  try {
    return await planGroups(deps, {
      semester: plan.semester,
      course: plan.course,
      rule: deps.linking.groups ?? DEFAULT_GROUP_LINK,
      removeEmptyGroups: opts.removeEmptyGroups,
      roster: plan.read.roster,
      enrolled,
      prospective,
    });
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    report.failures.push({
      nip: null,
      step: 'groups',
      message: `The groups could not be planned (${err.message}): nothing done for groups`,
    });
    return null;
  }
}

/**
 * Dry run: the groups as they would be after the enrolment steps, i.e. the plan's enrolled members plus the
 * students it would enrol (those without an account yet under a placeholder id, counted as members to add).
 */
export async function dryRunGroups(
  deps: WriteDeps,
  plan: SyncPlan,
  opts: GroupsOptions,
  report: SyncReport,
): Promise<void> {
  if (opts.policy === 'SKIP') return;
  const prospective = new Map<string, number>([
    ...plan.accountsToCreate.map((s) => [normalizeNip(s.nip)!, 0] as const),
    ...plan.enrolmentsToAdd.map((e) => [e.nip, e.userid] as const),
  ]);
  const groups = await groupsPlanOf(deps, plan, opts, report, plan.read.enrolled, prospective);
  if (groups) report.groups = groupsReportOf(groups);
}

/**
 * Apply: planned only now, after the enrolment steps, from the course's members as Moodle holds them (one
 * more read). Not from the plan plus what the steps reported: an account whose enrolment failed is not a
 * member Moodle accepts in a group (`invalidparameter` would bisect the whole batch), and a lost answer
 * settled by a read-back is only known as done there.
 */
export async function applyGroupsStep(
  deps: WriteDeps,
  trail: Trail,
  plan: SyncPlan,
  opts: GroupsOptions,
  report: SyncReport,
  progress: (done: number, total: number) => void,
): Promise<void> {
  if (opts.policy === 'SKIP') return;
  const groups = await groupsPlanOf(deps, plan, opts, report, undefined);
  if (!groups) return;
  const counts = groupsReportOf(groups);
  report.groups = counts;
  const done = await applyGroups(deps, plan.course.id, groups, progress);
  counts.groupingsCreated = done.groupingsCreated;
  counts.groupsCreated = done.groupsCreated;
  counts.membersAdded = done.membersAdded;
  counts.membersRemoved = done.membersRemoved;
  counts.groupsDeleted = done.groupsDeleted;
  counts.groupsRenamed = done.groupsRenamed;
  report.failures.push(...done.failures);
  report.unknown.push(...done.unknown);
  for (const id of done.createdIds) trail.touch('moodle', `group:${plan.course.id}`, id);
  for (const id of done.renamedIds) trail.touch('moodle', `group-renamed:${plan.course.id}`, id);
  for (const id of done.deletedIds) trail.touch('moodle', `group-deleted:${plan.course.id}`, id);
}
