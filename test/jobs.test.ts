import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  StartSyncSemesterDocument,
  SyncJobDocument,
  SyncJobsDocument,
  SyncSemesterDocument,
  type SyncJobFieldsFragment,
} from '../src/generated/operations';
import { expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/** Sync jobs without Redis: run in the gateway's own process, followed over GraphQL like durable ones. */
let gw: TestGateway;
beforeAll(async () => {
  // The response cache on: a job followed by polling must still be seen to move.
  gw = await startTestGateway({ students: 300, captureLogs: true, responseCacheTtlMs: 30_000 });
});
afterAll(() => gw.close());

const SESSION = 'INFO-BUT-FI-S1-2026';
const semesterId = () => gw.sims.university.semesters.find((s) => s.sessionId === SESSION)!.id;

async function follow(id: string): Promise<SyncJobFieldsFragment> {
  for (let i = 0; i < 600; i++) {
    const { syncJob } = await gw.execute(SyncJobDocument, { id });
    if (syncJob && (syncJob.state === 'COMPLETED' || syncJob.state === 'FAILED')) return syncJob;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

describe('sync jobs in process (no REDIS_URL)', () => {
  it('startSyncSemester answers at once with a queued job, which completes with the report an apply gives', async () => {
    const started = (
      await gw.execute(StartSyncSemesterDocument, {
        input: { semesterId: semesterId(), dryRun: false, leavers: 'KEEP' },
      })
    ).startSyncSemester;
    expectTypename(started, 'StartSyncSemesterSuccess');
    expect(started.job).toMatchObject({
      state: 'QUEUED',
      durable: false,
      dryRun: false,
      semesterId: semesterId(),
      attempts: 0,
      report: null,
    });

    const done = await follow(started.job.id);
    expect(done.state).toBe('COMPLETED');
    expect(done.attempts).toBe(1);
    expect(done.finishedAt).not.toBeNull();
    const report = done.report!;
    expect(report.dryRun).toBe(false);
    expect(report.accountsToCreate).toBeGreaterThan(0);
    expect(report.accountsCreated).toBe(report.accountsToCreate);
    expect(report.enrolmentsAdded).toBe(report.enrolmentsToAdd);
    // Every planned write counted: the progress ends where the plans said it would. The groups step adds
    // its own once planned; on this course no group exists yet, so each group created is also put in its
    // grouping (one assignment each).
    const g = report.groups!;
    expect(g.groupsToCreate).toBeGreaterThan(0);
    expect(done.progress.total).toBe(
      report.accountsToCreate * 2 +
        (report.enrolmentsToAdd - report.accountsToCreate) +
        report.enrolmentsToRemove +
        g.groupingsToCreate +
        g.groupsToCreate * 2 +
        g.membersToAdd +
        g.membersToRemove +
        g.groupsToDelete,
    );
    expect(done.progress.done).toBe(
      done.progress.total - report.failures.filter((f) => f.step !== 'plan').length,
    );

    // The job's writes are the truth the next plan sees: nothing left to do.
    const again = (await gw.execute(SyncSemesterDocument, { input: { semesterId: semesterId() } }))
      .syncSemester;
    expectTypename(again, 'SyncSemesterSuccess');
    expect(again.report).toMatchObject({ accountsToCreate: 0, enrolmentsToAdd: 0 });

    // Audited: the request that queued it, and the run.
    expect(gw.logLines.some((l) => l.includes('audit startSyncSemester success'))).toBe(true);
    expect(
      gw.logLines.some((l) => l.includes('audit syncJob success') && l.includes(started.job.id)),
    ).toBe(true);

    const { syncJobs } = await gw.execute(SyncJobsDocument, { first: 5 });
    expect(syncJobs[0]!.id).toBe(started.job.id);
  });

  it('bad input is refused before anything is queued; an unknown semester fails the job with the reason', async () => {
    const before = (await gw.execute(SyncJobsDocument, { first: 100 })).syncJobs.length;
    const bad = (
      await gw.execute(StartSyncSemesterDocument, { input: { semesterId: -3, dryRun: false } })
    ).startSyncSemester;
    expect(bad.__typename).toBe('ValidationError');
    expect((await gw.execute(SyncJobsDocument, { first: 100 })).syncJobs.length).toBe(before);

    const unknown = (
      await gw.execute(StartSyncSemesterDocument, { input: { semesterId: 999999, dryRun: false } })
    ).startSyncSemester;
    expectTypename(unknown, 'StartSyncSemesterSuccess');
    const failed = await follow(unknown.job.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.error).toMatch(/semester/i);
    expect(failed.report).toBeNull();
  });

  it('the CLI starts a job on a gateway and follows it to its report (campusgraph sync --gateway)', async () => {
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/campusgraph.js', ...args], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, ENV_FILE: 'none' },
      }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    // The semester the first test synced: the job converges with nothing left to do.
    const other = { id: semesterId() };
    const run = await cli([
      'sync',
      '--semester',
      String(other.id),
      '--apply',
      '--gateway',
      gw.url,
      '--json',
    ]);
    const { job } = JSON.parse(run.stdout) as { job: SyncJobFieldsFragment };
    expect(job).toMatchObject({ state: 'COMPLETED', semesterId: other.id, dryRun: false });
    expect(run.stderr).toContain(`Sync job ${job.id} queued`);
    // Following it again by id prints the same report.
    const again = await cli(['job', job.id, '--gateway', `${gw.url}/graphql`, '--json']);
    expect((JSON.parse(again.stdout) as { job: SyncJobFieldsFragment }).job.report).toEqual(
      job.report,
    );
  });

  it('an unknown job id is null', async () => {
    expect((await gw.execute(SyncJobDocument, { id: 'no-such-job' })).syncJob).toBeNull();
  });
});
