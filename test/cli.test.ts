import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  MOODLE_SIM_TOKEN,
  SCODOC_SIM_PASSWORD,
  SCODOC_SIM_USER,
  startSimulators,
  type RunningSimulators,
} from '../src/simulators/start';

const root = fileURLToPath(new URL('..', import.meta.url));
let sims: RunningSimulators;
beforeAll(async () => {
  sims = await startSimulators({
    scodoc: true,
    moodle: true,
    scodocPort: 0,
    moodlePort: 0,
    seed: 2026,
    students: 300,
    today: '2026-11-23',
  });
});
afterAll(() => sims.close());

const UPSTREAM_VARS = [
  'SCODOC_URL',
  'SCODOC_USERNAME',
  'SCODOC_PASSWORD',
  'SCODOC_DEPT',
  'MOODLE_URL',
  'MOODLE_TOKEN',
];

/**
 * Runs the built CLI with stdout and stderr piped (not a TTY, as in CI), pointed at this file's simulators
 * unless `unconfigured`: then with no upstream variable at all, from an empty directory so that no `.env`
 * of the developer's fills them in.
 */
function campusgraph(
  args: string[],
  env: Record<string, string> = {},
  { unconfigured = false } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const upstreams = unconfigured
    ? {}
    : {
        SCODOC_URL: `${sims.scodoc!.url}/ScoDoc`,
        SCODOC_USERNAME: SCODOC_SIM_USER,
        SCODOC_PASSWORD: SCODOC_SIM_PASSWORD,
        MOODLE_URL: sims.moodle!.url,
        MOODLE_TOKEN: MOODLE_SIM_TOKEN,
      };
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !UPSTREAM_VARS.includes(k)),
  );
  const child = spawn(process.execPath, [join(root, 'bin/campusgraph.js'), ...args], {
    cwd: unconfigured ? mkdtempSync(join(tmpdir(), 'campusgraph-')) : root,
    env: { ...inherited, ...upstreams, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const semester = () =>
  sims.university.semesters.find((s) => s.sessionId === 'GEII-BUT-FI-S1-2026')!.id;
/** The exit code says whether any student was left out: 1 when the report lists some, 0 otherwise. */
const expectedCode = (stdout: string) => (stdout.includes('not handled') ? 1 : 0);

it('prints the plan as a table without changing anything, then applies it; a second apply has nothing to do', async () => {
  sims.moodle!.resetStats();
  const plan = await campusgraph(['sync', '--semester', String(semester())]);
  expect(plan.code, plan.stdout + plan.stderr).toBe(expectedCode(plan.stdout));
  expect(plan.stdout).toContain('Plan (dry run: nothing changed; add --apply)');
  expect(plan.stdout).toMatch(/accounts to create\s*│\s*\d+\s*│\s*0/);
  // This semester holds a student whose e-mail an unlinked account already uses: reported, never duplicated.
  expect(flat(plan.stdout)).toMatch(/already has the e-mail of \d+/);
  expect(plan.code).toBe(1);
  expectFits80(plan.stdout);
  expect(Object.keys(sims.moodle!.stats()).filter((k) => /create|enrol_manual/.test(k))).toEqual(
    [],
  );

  const applied = await campusgraph([
    'sync',
    '--semester',
    String(semester()),
    '--apply',
    '--leavers',
    'suspend',
  ]);
  expect(applied.code, applied.stdout + applied.stderr).toBe(expectedCode(applied.stdout));
  expect(applied.stdout).toContain('Sync applied');
  const again = await campusgraph([
    'sync',
    '--semester',
    String(semester()),
    '--apply',
    '--leavers',
    'suspend',
  ]);
  expect(again.stdout).toMatch(/accounts to create\s*│\s*0\s*│\s*0/);
  expect(again.stdout).toMatch(/enrolments to add\s*│\s*0\s*│\s*0/);
}, 30_000);

it('exits non-zero on failure and on bad usage, without printing a secret', async () => {
  const missing = await campusgraph(['sync', '--semester', '999999']);
  expect(missing.code).toBe(1);
  expect(missing.stdout).toContain('sync failed: ScoDoc has no semester 999999.');
  const usage = await campusgraph(['sync', '--leavers', 'sometimes', '--semester', '3']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('campusgraph sync --help');
  const down = await campusgraph(['sync', '--semester', String(semester())], {
    MOODLE_TOKEN: 'wrong-token-s3cret',
  });
  expect(down.code).toBe(1);
  expect(down.stdout + down.stderr).not.toContain('wrong-token-s3cret');
}, 30_000);

/** In a non-TTY run the output is sized to 80 columns: no line longer, tables and head line included. */
function expectFits80(stdout: string) {
  const long = stdout.split('\n').filter((line) => [...line].length > 80);
  expect(long).toEqual([]);
}

/** A table's text without its borders and line breaks, for phrases its cells wrapped. */
const flat = (stdout: string) => stdout.replace(/[\s│]+/g, ' ');

const semesterOf = (sessionId: string) =>
  sims.university.semesters.find((s) => s.sessionId === sessionId)!.id;

it('explains itself: --help, sync --help (options, exit codes, environment), --version', async () => {
  const [top, sync, version] = await Promise.all([
    campusgraph(['--help']),
    campusgraph(['sync', '--help']),
    campusgraph(['--version']),
  ]);
  expect(top.code).toBe(0);
  expect(top.stdout).toContain('sync');
  expect(top.stdout).toContain('Exit codes');
  expect(sync.code).toBe(0);
  for (const word of ['--semester', '--course', '--apply', '--leavers', '--json', '--demo'])
    expect(sync.stdout).toContain(word);
  for (const name of UPSTREAM_VARS.filter((v) => v !== 'SCODOC_DEPT'))
    expect(sync.stdout).toContain(name);
  expect(sync.stdout).toContain('.env');
  expect(sync.stdout).toMatch(/0\s+done[\s\S]*1\s+something failed[\s\S]*2\s+bad usage/);
  expectFits80(top.stdout);
  expectFits80(sync.stdout);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
}, 30_000);

it('answers bad usage with one line and a hint to --help, exit code 2, before reading anything', async () => {
  const runs = await Promise.all(
    [
      ['sync', '--semester', 'abc'],
      ['sync', '--course', '0', '--semester', '3'],
      ['sync', '--nope'],
      ['sync'],
      ['frobnicate'],
      [],
    ].map((args) => campusgraph(args)),
  );
  for (const [i, run] of runs.entries()) {
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    // No command at all gets the whole help (on stderr); any other mistake one line and the hint.
    if (i === runs.length - 1) expect(run.stderr).toContain('Usage: campusgraph');
    else
      expect(run.stderr).toMatch(/^error: [^\n]+\nRun `campusgraph (sync )?--help` for usage\.\n$/);
  }
  expect(runs[0]!.stderr).toContain('--semester must be a formsemestre id');
  expect(runs[3]!.stderr).toContain('--demo');
  const unconfigured = await campusgraph(['sync', '--semester', '3'], {}, { unconfigured: true });
  expect(unconfigured.code).toBe(2);
  expect(unconfigured.stderr).toContain('MOODLE_TOKEN');
  expect(unconfigured.stderr).toContain('--demo');
}, 30_000);

it('--json prints one JSON object and nothing else on stdout; a second apply has nothing to do', async () => {
  const args = ['sync', '--semester', String(semesterOf('RT-BUT-FI-S1-2026')), '--json'];
  const plan = await campusgraph(args);
  const planned = JSON.parse(plan.stdout) as JsonReport;
  expect(planned).toMatchObject({
    semester: { sessionId: 'RT-BUT-FI-S1-2026' },
    leavers: 'KEEP',
    dryRun: true,
    counts: { accountsToCreate: { done: 0 }, enrolmentsToAdd: { done: 0 } },
  });
  expect(planned.counts.enrolmentsToAdd.planned).toBeGreaterThan(0);
  expect(plan.code).toBe(planned.failures.length > 0 ? 1 : 0);

  const applied = JSON.parse((await campusgraph([...args, '--apply'])).stdout) as JsonReport;
  expect(applied.dryRun).toBe(false);
  const { accountsToCreate, enrolmentsToAdd } = applied.counts;
  expect(accountsToCreate.planned).toBe(planned.counts.accountsToCreate.planned);
  expect(accountsToCreate.done).toBe(accountsToCreate.planned);
  expect(enrolmentsToAdd.done).toBe(enrolmentsToAdd.planned);

  const again = JSON.parse((await campusgraph([...args, '--apply'])).stdout) as JsonReport;
  // The groups step (default --groups sync) has nothing left to do either.
  const none = { planned: 0, done: 0 };
  expect(again.counts).toEqual({
    accountsToCreate: none,
    enrolmentsToAdd: none,
    enrolmentsToRemove: none,
    groupingsToCreate: none,
    groupsToCreate: none,
    groupMembersToAdd: none,
    groupMembersToRemove: none,
    groupsToDelete: none,
    groupsToRename: none,
  });
  expect(again.failures).toEqual(planned.failures.filter((f) => f.step === 'plan'));

  const missing = await campusgraph(['sync', '--semester', '999999', '--json']);
  expect(missing.code).toBe(1);
  expect(JSON.parse(missing.stdout)).toEqual({
    error: { message: 'ScoDoc has no semester 999999.' },
  });
}, 30_000);

interface JsonReport {
  dryRun: boolean;
  counts: Record<
    'accountsToCreate' | 'enrolmentsToAdd' | 'enrolmentsToRemove',
    { planned: number; done: number }
  >;
  failures: Array<{ nip: string | null; step: string; message: string }>;
}

it('--demo needs no configuration: it starts simulators, picks a semester and says so', async () => {
  const demo = await campusgraph(['sync', '--demo'], {}, { unconfigured: true });
  expect(demo.code, demo.stderr).toBe(0);
  expect(demo.stderr).toContain('Demo: simulated ScoDoc and Moodle');
  expect(demo.stderr).toMatch(/No --semester given: syncing \d+/);
  expect(demo.stdout).toContain('Plan (dry run: nothing changed; add --apply)');
  expect(demo.stdout).toMatch(/accounts to create\s*│\s*\d+\s*│\s*0/);
  expectFits80(demo.stdout);
}, 30_000);

it('fits failures from the apply steps in 80 columns', async () => {
  // Every other Moodle request fails: some enrolments and account creations of the apply are refused.
  sims.moodle!.setFaults({ errorRate: 0.5 });
  try {
    const semesterId = String(semesterOf('INFO-BUT-FI-S1-2026'));
    const run = await campusgraph(['sync', '--semester', semesterId, '--apply']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/not handled|sync failed/);
    expectFits80(run.stdout);
  } finally {
    sims.moodle!.clearFaults();
  }
}, 30_000);

/** The JSON audit lines the CLI wrote on stderr (next to its progress lines, which are not JSON). */
function auditOf(stderr: string): Array<Record<string, unknown> & { step?: string }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { audit?: Record<string, unknown> })
    .flatMap((line) => (line.audit ? [line.audit] : []));
}

it('audits a run like a mutation: a run line and one line per step, NIPs pseudonymised by default', async () => {
  // A semester no other test here syncs, with a course and registered students.
  const used = ['GEII-BUT-FI-S1-2026', 'RT-BUT-FI-S1-2026', 'INFO-BUT-FI-S1-2026'];
  const store = sims.moodle!.store;
  const target = sims.university.semesters.find(
    (s) =>
      !used.includes(s.sessionId) &&
      [...store.courses.values()].some((c) => c.idnumber === s.sessionId) &&
      sims.university.registrations.some((r) => r.formsemestreId === s.id && r.etat === 'I'),
  )!;
  const nips = sims.university.registrations
    .filter((r) => r.formsemestreId === target.id)
    .map((r) => sims.university.students.find((s) => s.etudid === r.etudid)!.nip)
    .filter((n): n is string => !!n);

  const dry = auditOf((await campusgraph(['sync', '--semester', String(target.id)])).stderr);
  expect(dry).toHaveLength(1);
  expect(dry[0]).toMatchObject({
    command: 'sync',
    outcome: 'success',
    semesterId: target.id,
    dryRun: true,
    leavers: 'KEEP',
  });
  expect(dry[0]!.who).toMatch(/^cli:.+/);

  const run = await campusgraph(
    ['sync', '--semester', String(target.id), '--apply', '--leavers', 'unenrol'],
    { LOG_PERSONAL_DATA: '' },
  );
  const lines = auditOf(run.stderr);
  const runLine = lines.find((l) => l.outcome === 'success')!;
  expect(runLine).toMatchObject({ dryRun: false, leavers: 'UNENROL', semesterId: target.id });
  const counts = runLine.counts as Record<string, number>;
  expect(counts.enrolmentsAdded).toBeGreaterThan(0);
  const steps = lines.filter((l) => l.outcome !== 'success');
  expect(steps.map((s) => s.outcome)).toEqual([
    'accountsCreated',
    'enrolmentsAdded',
    'enrolmentsRemoved',
  ]);
  const added = steps[1] as { count: number; nips: string[]; userids: number[]; who: string };
  expect(added.count).toBe(counts.enrolmentsAdded);
  expect(added.userids).toHaveLength(added.count);
  expect(added.nips).toHaveLength(added.count);
  expect(added.who).toBe(runLine.who);
  for (const nip of steps.flatMap((s) => s.nips as string[]))
    expect(nip).toMatch(/^~[0-9a-f]{16}$/);
  for (const nip of nips) expect(run.stderr).not.toContain(nip);
  expectFits80(run.stdout);
}, 30_000);

it('counts the failures by reason before the per-student rows', async () => {
  const plan = await campusgraph(['sync', '--semester', String(semester())]);
  const text = plan.stdout;
  expect(text).toMatch(/student\(s\) not handled, by reason:/);
  // The same refusal for several students is one row, its NIP and numbers masked.
  expect(text).toMatch(/\d+ ×\s*│\s*plan\s*│/);
  expect(flat(text)).toMatch(/already has the e-mail of <NIP>/);
  expect(text.indexOf('by reason')).toBeLessThan(text.indexOf('Student by student'));
  expectFits80(text);
}, 30_000);
