import { spawn } from 'node:child_process';
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

function campusgraph(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/campusgraph.js', ...args], {
    cwd: root,
    env: {
      ...process.env,
      SCODOC_URL: `${sims.scodoc!.url}/ScoDoc`,
      SCODOC_USERNAME: SCODOC_SIM_USER,
      SCODOC_PASSWORD: SCODOC_SIM_PASSWORD,
      MOODLE_URL: sims.moodle!.url,
      MOODLE_TOKEN: MOODLE_SIM_TOKEN,
      ...env,
    },
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
  expect(plan.stdout).toMatch(/already has the e-mail of \d+/);
  expect(plan.code).toBe(1);
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
  expect(usage.stderr).toContain('usage: campusgraph sync');
  const down = await campusgraph(['sync', '--semester', String(semester())], {
    MOODLE_TOKEN: 'wrong-token-s3cret',
  });
  expect(down.code).toBe(1);
  expect(down.stdout + down.stderr).not.toContain('wrong-token-s3cret');
}, 30_000);
