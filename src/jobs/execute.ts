import { auditLine, failureOf } from '../audit';
import { WriteError } from '../domain/errors';
import type { Logger } from '../log';
import { Trail, type WriteDeps } from '../provisioning/context';
import type { SyncReport } from '../sync/apply';
import { plannedWrites, runSync, type SyncInput } from '../sync/run';
import { isUpstreamError } from '../upstreams/errors';
import { ProgressTally } from './model';

/** What running a job needs, whichever runner runs it. */
export interface JobDeps {
  writes: WriteDeps;
  log: Logger;
  /** After every run, finished or not: what the gateway must forget (cached answers the sync made stale). */
  afterRun?: (input: SyncInput) => Promise<void>;
}

export interface JobRun {
  id: string;
  input: SyncInput;
  requestedBy: string;
  attempt: number;
}

/**
 * One run of a sync job: the same `runSync` as the mutation, under an audit line of its own (the request
 * that queued it has its own line, `startSyncSemester`). A resumed run plans again, so it does only what the
 * stopped one left: accounts are found by idnumber, enrolments are idempotent.
 */
export async function executeSyncJob(
  deps: JobDeps,
  run: JobRun,
  onProgress: (progress: { done: number; total: number }) => void,
): Promise<SyncReport> {
  const trail = new Trail();
  const tally = new ProgressTally();
  const started = Date.now();
  // The fields of a mutation's audit line (graph/mutations/audit.ts), plus the job and its attempt.
  const line = (outcome: string, extra: Record<string, unknown> = {}) =>
    auditLine(deps.log, 'syncJob', outcome, {
      job: run.id,
      attempt: run.attempt,
      who: run.requestedBy,
      input: run.input,
      touched: trail.touched,
      ms: Date.now() - started,
      ...extra,
    });
  // Which replica runs which job, and which run it is: what an operator looks for after a replica died.
  deps.log.info({ job: run.id, attempt: run.attempt }, 'sync job running');
  try {
    const { report } = await runSync(
      deps.writes,
      trail,
      run.input,
      (step, done, total) => {
        tally.step(step, done, total);
        onProgress(tally.value);
      },
      (plan) => {
        tally.plan(plannedWrites(plan));
        onProgress(tally.value);
      },
    );
    line('success');
    return report;
  } catch (err) {
    const { outcome, fields } = failureOf(err);
    line(outcome, fields);
    throw err;
  } finally {
    await deps.afterRun?.(run.input);
  }
}

/**
 * What a failed job says to whoever follows it: the message of an expected failure (bad input, not found, an
 * upstream down: messages the gateway wrote), nothing of an unexpected one (it is in the log, with the job id).
 */
export function publicMessage(err: unknown): string {
  if (err instanceof WriteError || isUpstreamError(err)) return err.message;
  return 'Unexpected error while running the sync (the gateway log has it, under the job id).';
}
