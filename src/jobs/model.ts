import type { SyncReport } from '../sync/apply';
import type { SyncInput } from '../sync/run';

/**
 * A sync run as a job: started by one request, run by whichever replica takes it, followed by others. The
 * two implementations (in process, and BullMQ on Redis) keep this one shape.
 */
export type SyncJobState = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface SyncJob {
  id: string;
  state: SyncJobState;
  /** Students handled over students to handle, all steps together; 0/0 until the plan is made. */
  progress: { done: number; total: number };
  /** The report of the run that completed it; null until then. */
  report: SyncReport | null;
  /** Why it failed (the message the gateway derives, never upstream internals); null otherwise. */
  error: string | null;
  /** Runs started: more than one means a replica stopped while running it and another resumed it. */
  attempts: number;
  input: SyncInput;
  /** The caller who started it (its name, for the audit). */
  requestedBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface SyncJobs {
  /** true: jobs are kept in Redis and survive a replica; false: in this process only, lost on restart. */
  readonly durable: boolean;
  start(input: SyncInput, requestedBy: string): Promise<SyncJob>;
  get(id: string): Promise<SyncJob | null>;
  /** The most recent jobs first. */
  recent(first: number): Promise<SyncJob[]>;
  /** Stops taking jobs; a job running here is left for another replica (durable) or abandoned. */
  close(): Promise<void>;
}

/** How far a run is, from the step-level progress of the apply and the size of the plan. */
export class ProgressTally {
  private readonly steps = new Map<string, { done: number; total: number }>();
  private planned = 0;

  plan(total: number): void {
    this.planned = total;
  }

  step(step: string, done: number, total: number): void {
    this.steps.set(step, { done, total });
  }

  get value(): { done: number; total: number } {
    let done = 0;
    let total = 0;
    for (const s of this.steps.values()) {
      done += s.done;
      total += s.total;
    }
    return { done, total: Math.max(total, this.planned) };
  }
}
