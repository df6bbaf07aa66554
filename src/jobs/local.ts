import { randomUUID } from 'node:crypto';
import type { SyncInput } from '../sync/run';
import { executeSyncJob, publicMessage, type JobDeps } from './execute';
import type { SyncJob, SyncJobs } from './model';

/** Jobs kept in memory, at most this many (the oldest finished ones go first). */
const KEPT = 200;

/**
 * Sync jobs without Redis: run in this process, one at a time (a sync keeps Moodle's workers busy; two at
 * once would only queue there), kept in memory. A restart loses them, running ones included: the sync
 * converges when started again.
 */
export class LocalSyncJobs implements SyncJobs {
  readonly durable = false;
  private readonly jobs = new Map<string, SyncJob>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: JobDeps) {}

  start(input: SyncInput, requestedBy: string): Promise<SyncJob> {
    const job: SyncJob = {
      id: randomUUID(),
      state: 'QUEUED',
      progress: { done: 0, total: 0 },
      report: null,
      error: null,
      attempts: 0,
      input,
      requestedBy,
      createdAt: new Date(),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    this.forgetOld();
    this.queue = this.queue.then(() => this.run(job));
    return Promise.resolve({ ...job });
  }

  get(id: string): Promise<SyncJob | null> {
    const job = this.jobs.get(id);
    return Promise.resolve(job ? { ...job } : null);
  }

  recent(first: number): Promise<SyncJob[]> {
    const all = [...this.jobs.values()].reverse().slice(0, first);
    return Promise.resolve(all.map((job) => ({ ...job })));
  }

  /** Jobs still queued fail at once; a running one is not waited for (it can take minutes). */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private async run(job: SyncJob): Promise<void> {
    if (this.closed) {
      Object.assign(job, {
        state: 'FAILED',
        error: 'The gateway stopped before the job ran: start it again.',
        finishedAt: new Date(),
      });
      return;
    }
    job.state = 'RUNNING';
    job.attempts += 1;
    try {
      job.report = await executeSyncJob(
        this.deps,
        { id: job.id, input: job.input, requestedBy: job.requestedBy, attempt: job.attempts },
        (progress) => (job.progress = progress),
      );
      job.state = 'COMPLETED';
    } catch (err) {
      job.state = 'FAILED';
      job.error = publicMessage(err);
    } finally {
      job.finishedAt = new Date();
    }
  }

  private forgetOld() {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT) break;
      if (job.finishedAt) this.jobs.delete(id);
    }
  }
}
