import { z } from 'zod';
import { parseInput } from '../domain/validate';
import type { Trail, WriteDeps } from '../provisioning/context';
import { patiently } from '../upstreams/resilience';
import { applySync, reportOf, type Progress, type SyncReport } from './apply';
import { planSync, type SyncPlan } from './plan';

const syncInput = z.object({
  semesterId: z.number().int().positive(),
  courseId: z.number().int().positive().nullish(),
  dryRun: z.boolean().nullish(),
  leavers: z.enum(['KEEP', 'SUSPEND', 'UNENROL']).nullish(),
});

/** Plans, and unless it is a dry run (the default), applies. Used by the mutation and by the CLI alike. */
export async function runSync(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
  progress?: Progress,
): Promise<{ plan: SyncPlan; report: SyncReport }> {
  const input = parseInput(syncInput, raw);
  const plan = await planSync(deps, {
    semesterId: input.semesterId,
    courseId: input.courseId,
    leavers: input.leavers ?? 'KEEP',
  });
  const dryRun = input.dryRun ?? true;
  return {
    plan,
    // An apply waits for an open breaker's half-open trial (bounded) instead of failing every remaining
    // student in milliseconds; interactive queries keep failing fast.
    report: dryRun
      ? reportOf(plan, true)
      : await patiently(() => applySync(deps, trail, plan, progress)),
  };
}
