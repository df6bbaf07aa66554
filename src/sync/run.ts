import { z } from 'zod';
import { parseInput } from '../domain/validate';
import type { Trail, WriteDeps } from '../provisioning/context';
import { patiently } from '../upstreams/resilience';
import { applySync, reportOf, type Progress, type SyncReport } from './apply';
import { dryRunGroups, type GroupsOptions } from './groups-step';
import { planSync, type SyncPlan } from './plan';

const syncInput = z.object({
  semesterId: z.number().int().positive(),
  courseId: z.number().int().positive().nullish(),
  dryRun: z.boolean().nullish(),
  leavers: z.enum(['KEEP', 'SUSPEND', 'UNENROL']).nullish(),
  groups: z.enum(['SYNC', 'SKIP']).nullish(),
  removeEmptyGroups: z.boolean().nullish(),
});

export type SyncInput = z.infer<typeof syncInput>;

/** The sync's input checked (BAD_USER_INPUT otherwise): a job checks it before it is queued. */
export function parseSyncInput(raw: unknown): SyncInput {
  return parseInput(syncInput, raw);
}

/**
 * Writes the apply would make, the account and enrolment steps together: what a job's progress counts up to
 * until the groups step, planned only once they are done, adds its own.
 */
export function plannedWrites(plan: SyncPlan): number {
  return (
    plan.accountsToCreate.length * 2 + plan.enrolmentsToAdd.length + plan.enrolmentsToRemove.length
  );
}

/**
 * Plans, and unless it is a dry run (the default), applies. Used by the mutation, the jobs and the CLI
 * alike; `planned` hears of the plan before the apply starts.
 */
export async function runSync(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
  progress?: Progress,
  planned?: (plan: SyncPlan) => void,
): Promise<{ plan: SyncPlan; report: SyncReport }> {
  const input = parseSyncInput(raw);
  const plan = await planSync(deps, {
    semesterId: input.semesterId,
    courseId: input.courseId,
    leavers: input.leavers ?? 'KEEP',
  });
  const dryRun = input.dryRun ?? true;
  const groups: GroupsOptions = {
    policy: input.groups ?? 'SYNC',
    removeEmptyGroups: input.removeEmptyGroups ?? false,
  };
  planned?.(plan);
  if (dryRun) {
    const report = reportOf(plan, true);
    await dryRunGroups(deps, plan, groups, report);
    return { plan, report };
  }
  // An apply waits for an open breaker's half-open trial (bounded) instead of failing every remaining
  // student in milliseconds; interactive queries keep failing fast.
  return { plan, report: await patiently(() => applySync(deps, trail, plan, progress, groups)) };
}
