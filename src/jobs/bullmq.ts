import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { SyncReport } from '../sync/apply';
import type { SyncInput } from '../sync/run';
import { executeSyncJob, publicMessage, type JobDeps } from './execute';
import type { SyncJob, SyncJobs, SyncJobState } from './model';

interface JobData {
  input: SyncInput;
  requestedBy: string;
  /** Runs started, counted by the job itself: BullMQ's own counters do not count a resumed stall as a run. */
  runs: number;
}

type SyncBullJob = Job<JobData, SyncReport>;

const QUEUE = 'campus-graph-sync';
/** Finished jobs kept for `syncJobs` and for late followers (Redis holds them, not the replicas). */
const KEPT = { count: 200 };

/**
 * Sync jobs on BullMQ: queued in Redis, run by a worker in every replica (one job at a time each: a sync
 * keeps Moodle's workers busy). A replica holds a lock on the job it runs, renewed while it runs; if the
 * replica dies, the lock lapses after `lockMs`, BullMQ's stalled check puts the job back in the queue, and
 * another replica runs it again. That second run plans again, so it does only what the first left.
 */
export class BullSyncJobs implements SyncJobs {
  readonly durable = true;
  private readonly queue: Queue<JobData, SyncReport>;
  private readonly worker: Worker<JobData, SyncReport>;

  constructor(deps: JobDeps, opts: { redisUrl: string; lockMs: number; prefix?: string }) {
    // BullMQ's blocking commands need connections that wait for Redis rather than fail fast.
    const connection = { url: opts.redisUrl, maxRetriesPerRequest: null };
    const prefix = opts.prefix ?? 'campus-graph';
    this.queue = new Queue<JobData, SyncReport>(QUEUE, { connection, prefix });
    this.worker = new Worker<JobData, SyncReport>(QUEUE, (job) => this.process(deps, job), {
      connection,
      prefix,
      concurrency: 1,
      lockDuration: opts.lockMs,
      stalledInterval: opts.lockMs,
      // A job whose replica died is resumed; one that took several replicas down with it is not tried forever.
      maxStalledCount: 3,
    });
    // BullMQ reports a lost Redis on its objects: logged once per event, the gateway keeps serving.
    this.worker.on('error', (err) =>
      deps.log.warn({ err: err.message }, 'sync job worker: Redis error'),
    );
    this.queue.on('error', (err) =>
      deps.log.warn({ err: err.message }, 'sync job queue: Redis error'),
    );
  }

  async start(input: SyncInput, requestedBy: string): Promise<SyncJob> {
    const job = await this.queue.add(
      'syncSemester',
      { input, requestedBy, runs: 0 },
      { jobId: randomUUID(), attempts: 1, removeOnComplete: KEPT, removeOnFail: KEPT },
    );
    return viewOf(job, 'QUEUED');
  }

  async get(id: string): Promise<SyncJob | null> {
    const job = await this.queue.getJob(id);
    return job ? viewOf(job, stateOf(await job.getState())) : null;
  }

  async recent(first: number): Promise<SyncJob[]> {
    const jobs = await this.queue.getJobs(
      ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'],
      0,
      Math.max(0, first - 1),
      false,
    );
    const views = await Promise.all(
      jobs.map(async (job) => viewOf(job, stateOf(await job.getState()))),
    );
    return views.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, first);
  }

  async close(): Promise<void> {
    // Forced: a running sync is not waited for (it can take minutes); its lock lapses and another replica
    // resumes it.
    await this.worker.close(true);
    await this.queue.close();
  }

  private async process(deps: JobDeps, job: SyncBullJob): Promise<SyncReport> {
    const runs = job.data.runs + 1;
    await job.updateData({ ...job.data, runs });
    try {
      return await executeSyncJob(
        deps,
        { id: job.id!, input: job.data.input, requestedBy: job.data.requestedBy, attempt: runs },
        (progress) => void job.updateProgress(progress).catch(() => {}),
      );
    } catch (err) {
      // What BullMQ keeps as the failed reason is what followers read: the gateway's message only.
      throw new Error(publicMessage(err));
    }
  }
}

function stateOf(state: string): SyncJobState {
  if (state === 'active') return 'RUNNING';
  if (state === 'completed') return 'COMPLETED';
  if (state === 'failed') return 'FAILED';
  return 'QUEUED';
}

function viewOf(job: SyncBullJob, state: SyncJobState): SyncJob {
  const progress = job.progress as { done?: number; total?: number } | number | undefined;
  return {
    id: job.id!,
    state,
    progress:
      typeof progress === 'object' && progress
        ? { done: progress.done ?? 0, total: progress.total ?? 0 }
        : { done: 0, total: 0 },
    report: state === 'COMPLETED' ? (job.returnvalue ?? null) : null,
    error: state === 'FAILED' ? job.failedReason || 'The job failed.' : null,
    attempts: job.data.runs,
    input: job.data.input,
    requestedBy: job.data.requestedBy,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}
