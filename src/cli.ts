import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import { ConfigError, loadConfig, secretsOf } from './config';
import { WriteError } from './domain/errors';
import { ListCache } from './domain/list-cache';
import { createLogger } from './log';
import type { Progress, SyncReport } from './sync/apply';
import type { SyncPlan } from './sync/plan';
import { runSync } from './sync/run';
import { createMoodleClient } from './upstreams/moodle/client';
import { createScodocClient } from './upstreams/scodoc/client';
import { Trail } from './provisioning/context';

/**
 * `campusgraph sync --semester N [--course ID] [--apply] [--leavers keep|suspend|unenrol]`: the same sync as
 * the syncSemester mutation, from a terminal, with the same configuration as the server. Without --apply it
 * only prints the plan. Exit code: 0 all done, 1 something failed, 2 bad usage.
 */
const USAGE =
  'usage: campusgraph sync --semester <id> [--course <id>] [--apply] [--leavers keep|suspend|unenrol]';

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  if (config.scodoc.simulated || config.moodle.simulated) {
    process.stderr.write(
      'campusgraph sync needs both upstreams configured (SCODOC_URL, SCODOC_USERNAME, SCODOC_PASSWORD, MOODLE_URL, MOODLE_TOKEN); to try it on the simulators of `npm run sim`, see the README.\n',
    );
    return 2;
  }
  const log = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    secrets: secretsOf(config),
    personalData: config.logPersonalData,
    pseudonymKey: config.logPseudonymKey,
    destination: process.stderr,
  });
  const scodoc = createScodocClient(config.scodoc, { resilience: config.resilience });
  const moodle = createMoodleClient(config.moodle, { resilience: config.resilience });
  try {
    return await syncCommand(
      {
        scodoc,
        moodle,
        linking: config.linking,
        lists: new ListCache(0),
        log,
        accounts: config.accounts,
      },
      args,
    );
  } finally {
    await Promise.all([scodoc.close(), moodle.close()]);
  }
}

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      semester: { type: 'string' },
      course: { type: 'string' },
      apply: { type: 'boolean', default: false },
      leavers: { type: 'string', default: 'keep' },
    },
  });
  if (positionals[0] !== 'sync' || positionals.length !== 1) throw new Error('unknown command');
  const semesterId = Number(values.semester);
  if (!Number.isSafeInteger(semesterId) || semesterId <= 0)
    throw new Error('--semester must be a formsemestre id');
  const courseId = values.course === undefined ? undefined : Number(values.course);
  if (courseId !== undefined && (!Number.isSafeInteger(courseId) || courseId <= 0))
    throw new Error('--course must be a Moodle course id');
  const leavers = String(values.leavers).toUpperCase();
  if (!['KEEP', 'SUSPEND', 'UNENROL'].includes(leavers))
    throw new Error('--leavers must be keep, suspend or unenrol');
  return { semesterId, courseId, dryRun: !values.apply, leavers };
}

export async function syncCommand(
  deps: Parameters<typeof runSync>[0],
  args: ReturnType<typeof parse>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const bar = new SingleBar(
    { format: ' {step} [{bar}] {value}/{total}', stream: process.stderr, noTTYOutput: false },
    Presets.shades_classic,
  );
  let current = '';
  const progress: Progress = (step, done, total) => {
    if (step !== current) {
      if (current) bar.stop();
      current = step;
      bar.start(total, 0, { step: step.padEnd(13) });
    }
    bar.update(done);
  };
  try {
    const { plan, report } = await runSync(deps, new Trail(), args, progress);
    if (current) bar.stop();
    out.write(render(plan, report));
    return report.failures.length > 0 ? 1 : 0;
  } catch (err) {
    if (current) bar.stop();
    if (err instanceof WriteError || (err as { system?: string }).system) {
      out.write(`sync failed: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

function render(plan: SyncPlan, report: SyncReport): string {
  const head = `${report.dryRun ? 'Plan (dry run: nothing changed; add --apply)' : 'Sync applied'} — ${plan.semester.title} (${plan.semester.sessionId ?? plan.semester.id}) → course ${plan.course.shortName} (${plan.course.id}), leavers: ${plan.leavers}\n`;
  const table = new Table({ head: ['', 'planned', 'done'], style: { head: [], border: [] } });
  table.push(
    ['accounts to create', report.accountsToCreate, report.accountsCreated],
    ['enrolments to add', report.enrolmentsToAdd, report.enrolmentsAdded],
    ['enrolments to remove', report.enrolmentsToRemove, report.enrolmentsRemoved],
  );
  let text = `${head}${table.toString()}\n`;
  if (report.failures.length > 0) {
    const failures = new Table({
      head: ['NIP', 'step', 'problem'],
      colWidths: [12, 15, 80],
      wordWrap: true,
      style: { head: [], border: [] },
    });
    for (const f of report.failures) failures.push([f.nip ?? '—', f.step, f.message]);
    text += `${report.failures.length} student(s) not handled:\n${failures.toString()}\n`;
  }
  return text;
}

// Run when invoked as a program (bin/campusgraph.js or `tsx src/cli.ts`), not when imported by tests.
if (process.argv[1] && /cli\.ts$|campusgraph(\.js)?$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        err instanceof ConfigError
          ? `${err.message}\n`
          : `campusgraph failed: ${(err as Error).message}\n`,
      );
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
