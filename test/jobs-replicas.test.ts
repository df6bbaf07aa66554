import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeNip } from '../src/domain/linking';
import { forgetAccounts } from './support/clients';
import { sharedSimulators, startEnv, startGateway, upstreamEnvOf } from './support/process';
import { startRedis, type TestRedis } from './support/redis';

/**
 * Durable sync jobs: two gateway processes on one Redis and the same simulators. The replica running a job
 * is killed (SIGKILL: no drain, no handler); the other resumes the job once its lock lapses.
 */
const SESSION = 'INFO-BUT-FI-S1-2026';
let redis: TestRedis;
let sims: Awaited<ReturnType<typeof sharedSimulators>>;
type Started = Awaited<ReturnType<typeof startGateway>>;
const replicas: Started[] = [];

beforeAll(async () => {
  redis = await startRedis();
  sims = await sharedSimulators(1500);
  const env = startEnv({
    HOST: '127.0.0.1',
    AUTH_DISABLED: 'true',
    ...upstreamEnvOf(sims),
    REDIS_URL: redis.url,
    SYNC_JOB_LOCK_MS: '2000',
    RESPONSE_CACHE_TTL_MS: '0',
  });
  replicas.push(...(await Promise.all([startGateway(env), startGateway(env)])));
}, 60_000);

afterAll(async () => {
  sims?.moodle?.setCostModel(null);
  await Promise.all(replicas.map((r) => r.stop()));
  await sims?.close();
  await redis?.close();
});

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(JSON.stringify(body));
  return body.data;
}

interface Job {
  id: string;
  state: string;
  attempts: number;
  durable: boolean;
  progress: { done: number; total: number };
  report: { accountsCreated: number; enrolmentsAdded: number; failures: unknown[] } | null;
}
const JOB =
  'id state attempts durable progress { done total } report { accountsCreated enrolmentsAdded failures { nip step message } }';
const jobOn = async (url: string, id: string) =>
  (
    await gql<{ syncJob: Job | null }>(url, `query($id: ID!) { syncJob(id: $id) { ${JOB} } }`, {
      id,
    })
  ).syncJob;

async function until(what: string, check: () => boolean | Promise<boolean>, tries = 600) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting: ${what}`);
}

describe('durable sync jobs across replicas (REDIS_URL)', () => {
  it('a job whose replica is SIGKILLed mid-run completes on the other: no duplicate account, nothing left to do', async () => {
    const semester = sims.university.semesters.find((s) => s.sessionId === SESSION)!;
    const registered = sims.university.registrations
      .filter((r) => r.formsemestreId === semester.id && r.etat === 'I')
      .map((r) => sims.university.students.find((s) => s.etudid === r.etudid)!.nip)
      .filter((nip): nip is string => nip !== null);
    // Nobody has an account yet, and Moodle is slow (one worker, 40 ms per account): several chunks of 100
    // accounts, so the kill lands between the first and the last.
    forgetAccounts(sims, new Set(registered));
    expect(registered.length).toBeGreaterThan(100);
    sims.moodle!.setCostModel({
      perCallMs: 5,
      perItemMs: { core_user_create_users: 40, enrol_manual_enrol_users: 2 },
      workers: 1,
    });

    const [a] = replicas;
    const started = await gql<{ startSyncSemester: { job: Job } }>(
      a!.url,
      `mutation($input: SyncSemesterInput!) { startSyncSemester(input: $input) { ... on StartSyncSemesterSuccess { job { ${JOB} } } } }`,
      { input: { semesterId: semester.id, dryRun: false } },
    );
    const id = started.startSyncSemester.job.id;
    expect(started.startSyncSemester.job).toMatchObject({ state: 'QUEUED', durable: true });

    // Whichever replica took it: the one whose log says it runs it.
    let runner: Started | undefined;
    await until('a replica runs the job', () => {
      runner = replicas.find((r) => r.output().includes(`"job":"${id}","attempt":1`));
      return runner !== undefined;
    });
    const other = replicas.find((r) => r !== runner)!;
    // Both replicas see it move: its state is in Redis, not in the runner.
    await until('the first chunk of accounts is done', async () => {
      const job = await jobOn(other.url, id);
      return job!.state === 'RUNNING' && job!.progress.done > 0;
    });
    const before = (await jobOn(other.url, id))!;
    expect(before.progress.done).toBeLessThan(before.progress.total);
    await runner!.kill();

    await until(
      'the other replica resumes and completes it',
      async () => (await jobOn(other.url, id))!.state === 'COMPLETED',
      1200,
    );
    const done = (await jobOn(other.url, id))!;
    expect(done.attempts).toBe(2);
    expect(other.output()).toContain(`"job":"${id}","attempt":2`);
    sims.moodle!.setCostModel(null);

    // No duplicate account: each registered NIP has exactly one live account.
    const accounts = new Map<string, number>();
    for (const u of sims.moodle!.store.users.values()) {
      const nip = normalizeNip(u.idnumber);
      if (!u.deleted && nip) accounts.set(nip, (accounts.get(nip) ?? 0) + 1);
    }
    const planned = registered.filter((nip) => accounts.has(nip));
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.filter((nip) => accounts.get(nip)! > 1)).toEqual([]);

    // Nothing left to do: a dry run on the surviving replica plans no account and no enrolment.
    const plan = await gql<{
      syncSemester: { report: { accountsToCreate: number; enrolmentsToAdd: number } };
    }>(
      other.url,
      `mutation($input: SyncSemesterInput!) { syncSemester(input: $input) { ... on SyncSemesterSuccess { report { accountsToCreate enrolmentsToAdd } } } }`,
      { input: { semesterId: semester.id } },
    );
    expect(plan.syncSemester.report).toEqual({ accountsToCreate: 0, enrolmentsToAdd: 0 });
  });
});
