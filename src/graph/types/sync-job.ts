import type { SyncJob } from '../../jobs/model';
import { parseSyncInput } from '../../sync/run';
import { builder } from '../builder';
import { perform, successType } from '../mutations/define';
import { SyncSemesterInput } from '../mutations/sync';
import { SyncReportRef } from './sync-report';

/**
 * Long syncs as jobs: `startSyncSemester` queues and answers at once; `syncJob` follows it. With REDIS_URL
 * the jobs are BullMQ's, any replica runs them and another resumes one whose replica died; without, they run
 * in the process that took them and a restart loses them (`durable: false` says which).
 */

const SyncJobStateEnum = builder.enumType('SyncJobState', {
  description: 'Where a sync job is.',
  values: {
    QUEUED: {
      description: 'Waiting for a replica to run it (or to resume it, after one stopped).',
    },
    RUNNING: { description: 'A replica is running it.' },
    COMPLETED: { description: 'Done: the report says what it did.' },
    FAILED: { description: 'Stopped: `error` says why. Starting it again converges.' },
  } as const,
});

const SyncProgressRef = builder.objectRef<SyncJob['progress']>('SyncProgress').implement({
  description:
    'Writes done over writes planned, all steps together (an account counts once created and once enrolled). 0/0 until the plan is made.',
  fields: (t) => ({
    done: t.exposeInt('done', { description: 'Students handled so far, all steps together.' }),
    total: t.exposeInt('total', { description: 'Students to handle, all steps together.' }),
  }),
});

const SyncJobRef = builder.objectRef<SyncJob>('SyncJob').implement({
  description: 'A sync run as a job, followed by polling `syncJob(id:)`.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job id.' }),
    state: t.field({
      type: SyncJobStateEnum,
      description: 'Queued, running, completed or failed.',
      resolve: (j) => j.state,
    }),
    progress: t.field({
      type: SyncProgressRef,
      description: 'How far the current (or last) run is.',
      resolve: (j) => j.progress,
    }),
    report: t.field({
      type: SyncReportRef,
      nullable: true,
      description: 'What the run that completed the job did; null until it completes.',
      resolve: (j) => j.report,
    }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'Why the job failed; null unless FAILED.',
    }),
    attempts: t.exposeInt('attempts', {
      description:
        'Runs started: 2 or more means a replica stopped while running it and another resumed it (the report is that of the last run, which did what the others left).',
    }),
    semesterId: t.int({
      description: 'The ScoDoc formsemestre synced.',
      resolve: (j) => j.input.semesterId,
    }),
    dryRun: t.boolean({
      description: 'true: the job only planned (as syncSemester with dryRun).',
      resolve: (j) => j.input.dryRun ?? true,
    }),
    requestedBy: t.exposeString('requestedBy', { description: 'The client that started it.' }),
    durable: t.boolean({
      description:
        'true: kept in Redis, survives a replica; false: in one process, lost on restart.',
      resolve: (_j, _args, ctx) => ctx.jobs.durable,
    }),
    createdAt: t.string({ description: 'ISO 8601.', resolve: (j) => j.createdAt.toISOString() }),
    finishedAt: t.string({
      nullable: true,
      description: 'ISO 8601; null until it completes or fails.',
      resolve: (j) => j.finishedAt?.toISOString() ?? null,
    }),
  }),
});

const StartSyncSemesterSuccess = successType<{ job: SyncJob }>('StartSyncSemesterSuccess', {
  description: 'The job is queued; follow it with syncJob(id:).',
  fields: (t) => ({
    job: t.field({ type: SyncJobRef, description: 'The queued job.', resolve: (r) => r.job }),
  }),
});

builder.mutationField('startSyncSemester', (t) =>
  t.field({
    authScopes: { scope: 'sync' },
    type: StartSyncSemesterSuccess,
    description:
      'Queues the sync of a semester as a job and answers at once, for syncs longer than a request should last. The same input as syncSemester: dryRun is true unless set to false. Bad input is refused before anything is queued.',
    args: { input: t.arg({ type: SyncSemesterInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'startSyncSemester', args.input, StartSyncSemesterSuccess, async () => ({
        job: await ctx.jobs.start(parseSyncInput(args.input), ctx.caller.name),
      })),
  }),
);

builder.queryFields((t) => ({
  syncJob: t.field({
    authScopes: { scope: 'sync' },
    type: SyncJobRef,
    nullable: true,
    description: 'A sync job by id; null when unknown (or forgotten: 200 finished jobs are kept).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.jobs.get(String(args.id)),
  }),
  syncJobs: t.field({
    authScopes: { scope: 'sync' },
    type: [SyncJobRef],
    description: 'The most recent sync jobs, newest first.',
    args: { first: t.arg.int({ defaultValue: 20 }) },
    resolve: (_root, args, ctx) => ctx.jobs.recent(Math.min(Math.max(args.first ?? 20, 1), 100)),
  }),
}));
