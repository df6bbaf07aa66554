import { Presets, SingleBar } from 'cli-progress';
import ora from 'ora';
import { print, type DocumentNode } from 'graphql';
import {
  StartSyncSemesterDocument,
  SyncJobDocument,
  type StartSyncSemesterMutation,
  type SyncJobFieldsFragment,
  type SyncJobQuery,
} from '../generated/operations';
import type { SyncReport } from '../sync/apply';
import type { SyncArgs } from './args';
import { renderReport, widthOf, wrap } from './render';

/**
 * `campusgraph sync --gateway <url>`: the sync as a job of a running gateway (startSyncSemester), followed
 * until it ends (syncJob, polled), instead of run in this process. The gateway runs it with its own
 * configuration and, with Redis, survives this terminal and the replica that runs it.
 */

const POLL_MS = 1000;

interface JobTarget {
  gateway: string;
  apiKey?: string;
}

export async function syncAsJob(
  args: SyncArgs & { gateway: string },
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const target = { gateway: args.gateway, apiKey: process.env.CAMPUS_GRAPH_API_KEY };
  const started = await graphql<StartSyncSemesterMutation>(target, StartSyncSemesterDocument, {
    input: {
      semesterId: args.semesterId,
      courseId: args.courseId,
      dryRun: args.dryRun,
      leavers: args.leavers,
      groups: args.groups,
      removeEmptyGroups: args.removeEmptyGroups,
    },
  });
  const result = started.startSyncSemester;
  if (result.__typename !== 'StartSyncSemesterSuccess') {
    out.write(`${wrap(`sync not started: ${result.message}`, widthOf(out))}\n`);
    return result.__typename === 'ValidationError' ? 2 : 1;
  }
  // On stderr, even with --json: whoever loses this terminal can follow the job by id.
  process.stderr.write(`Sync job ${result.job.id} queued on ${args.gateway}\n`);
  return followJob({ ...args, jobId: result.job.id }, out);
}

/** `campusgraph job <id> --gateway <url>`: follows a job until it ends and prints its report. */
export async function followJob(
  args: { gateway: string; jobId: string; json: boolean },
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const target = { gateway: args.gateway, apiKey: process.env.CAMPUS_GRAPH_API_KEY };
  const watch = watcher(process.stderr);
  try {
    for (;;) {
      const { syncJob: job } = await graphql<SyncJobQuery>(target, SyncJobDocument, {
        id: args.jobId,
      });
      if (!job) {
        watch.stop();
        out.write(`No sync job ${args.jobId} on ${args.gateway} (unknown, or forgotten).\n`);
        return 1;
      }
      if (job.state === 'COMPLETED' || job.state === 'FAILED') {
        watch.stop();
        out.write(args.json ? `${JSON.stringify({ job })}\n` : renderJob(job, widthOf(out)));
        return job.state === 'FAILED' || (job.report?.failures.length ?? 0) > 0 ? 1 : 0;
      }
      watch.show(job);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    watch.stop();
  }
}

function renderJob(job: SyncJobFieldsFragment, width: number): string {
  const runs = job.attempts > 1 ? `, resumed: ${job.attempts} runs` : '';
  const head = `Sync job ${job.id} ${job.state.toLowerCase()} (semester ${job.semesterId}${job.dryRun ? ', dry run: nothing changed' : ''}${runs})`;
  if (job.state === 'FAILED')
    return `${wrap(`${head}: ${job.error ?? 'no reason given'}`, width)}\n`;
  return `${wrap(head, width)}\n${renderReport(job.report as SyncReport, width)}`;
}

/** A spinner while queued, a bar while running; nothing when stderr is not a terminal. */
function watcher(stream: NodeJS.WriteStream) {
  if (!stream.isTTY || !(stream.columns > 0)) return { show: () => {}, stop: () => {} };
  const spinner = ora({ text: 'Queued: waiting for a replica…', stream });
  const bar = new SingleBar(
    { format: ' sync [{bar}] {value}/{total}', stream, noTTYOutput: false },
    Presets.shades_classic,
  );
  let running = false;
  return {
    show(job: SyncJobFieldsFragment) {
      if (job.state === 'QUEUED' && !running) {
        if (!spinner.isSpinning) spinner.start();
        return;
      }
      if (!running) {
        spinner.stop();
        bar.start(job.progress.total, 0);
        running = true;
      }
      bar.setTotal(job.progress.total);
      bar.update(job.progress.done);
    },
    stop() {
      spinner.stop();
      if (running) bar.stop();
      running = false;
    },
  };
}

/** One GraphQL request to the gateway; a transport or GraphQL error becomes one plain message. */
async function graphql<T>(
  target: JobTarget,
  document: DocumentNode,
  variables: Record<string, unknown>,
): Promise<T> {
  const res = await fetch(new URL('/graphql', target.gateway), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
    },
    body: JSON.stringify({ query: print(document), variables }),
  }).catch((err: unknown) => {
    throw new Error(`cannot reach the gateway at ${target.gateway}: ${(err as Error).message}`);
  });
  const body = (await res.json().catch(() => null)) as {
    data?: T;
    errors?: Array<{ message: string }>;
  } | null;
  if (!body?.data || body.errors?.length)
    throw new Error(
      `the gateway answered ${res.status}: ${body?.errors?.map((e) => e.message).join('; ') ?? 'no GraphQL answer'}` +
        (res.status === 401 ? ' (set CAMPUS_GRAPH_API_KEY to an API key with the sync scope)' : ''),
    );
  return body.data;
}
