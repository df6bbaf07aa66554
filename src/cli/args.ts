import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };

/** What `campusgraph sync` was asked to do, validated. */
export interface SyncArgs {
  /** Absent only with --demo, which then picks a semester of the demo university. */
  semesterId?: number;
  courseId?: number;
  dryRun: boolean;
  leavers: 'KEEP' | 'SUSPEND' | 'UNENROL';
  json: boolean;
  demo: boolean;
}

const EXIT_CODES = `Exit codes:
  0  done (the plan printed, or applied with no student left out)
  1  something failed: a student left out, or an upstream refused or was down
  2  bad usage or configuration`;

const ENVIRONMENT = `Environment (also read from a .env file in the current directory):
  SCODOC_URL, SCODOC_USERNAME, SCODOC_PASSWORD  the ScoDoc API and its account
  MOODLE_URL, MOODLE_TOKEN                      Moodle, its web-service token
  LOG_LEVEL                                     logs on stderr (default warn)
With --demo none is needed: simulated ScoDoc and Moodle are started instead.`;

const EXAMPLES = `Examples:
  campusgraph sync --demo                       the plan on simulated data
  campusgraph sync --semester 1010              the plan, nothing changed
  campusgraph sync --semester 1010 --apply --leavers suspend
  campusgraph sync --semester 1010 --json | jq .counts`;

/** The parsed command line, or the exit code when commander already answered (help, version, bad usage). */
export function parseCommandLine(argv: string[]): SyncArgs | { exitCode: number } {
  let args: SyncArgs | undefined;
  const program = programOf((parsed) => (args = parsed));
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return { exitCode: err.exitCode === 0 ? 0 : 2 };
    throw err;
  }
  return args ?? { exitCode: 2 };
}

function programOf(onSync: (args: SyncArgs) => void): Command {
  const program = new Command('campusgraph')
    .description('The ScoDoc → Moodle semester sync of the campus-graph gateway, from a terminal.')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand(false)
    .addHelpText('after', `\nRun \`campusgraph sync --help\` for its options.\n\n${EXIT_CODES}\n`)
    .showHelpAfterError('Run `campusgraph --help` for usage.')
    .exitOverride();
  program
    .command('sync')
    .description(
      'Plan the sync of a ScoDoc semester into its Moodle course and print it; with --apply, carry it out: ' +
        'accounts to create, enrolments to add, leavers to handle.',
    )
    .option('-s, --semester <id>', 'the ScoDoc formsemestre id (optional with --demo)')
    .option(
      '-c, --course <id>',
      "the Moodle course id (default: the course whose idnumber is the semester's session id)",
    )
    .option('--apply', 'carry the plan out (without it nothing is changed)')
    .option(
      '--leavers <policy>',
      'what to do with students who left (D/DEF): keep, suspend or unenrol',
      'keep',
    )
    .option('--json', 'print plan and report as one JSON object on stdout, no table')
    .option('--demo', 'run against simulators started for the occasion, with generated data')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', `\n${ENVIRONMENT}\n\n${EXIT_CODES}\n\n${EXAMPLES}\n`)
    .showHelpAfterError('Run `campusgraph sync --help` for usage.')
    .exitOverride()
    .action(function (this: Command, opts: Record<string, unknown>) {
      try {
        onSync(validated(opts));
      } catch (err) {
        // One line and the hint, exit code 2: the same shape as commander's own usage errors.
        this.error(`error: ${(err as Error).message}`, { exitCode: 2, code: 'campusgraph.usage' });
      }
    });
  return program;
}

function validated(opts: Record<string, unknown>): SyncArgs {
  const demo = opts.demo === true;
  if (opts.semester === undefined && !demo)
    throw new Error('--semester is required (or try --demo)');
  const semesterId = opts.semester === undefined ? undefined : Number(opts.semester);
  if (semesterId !== undefined && (!Number.isSafeInteger(semesterId) || semesterId <= 0))
    throw new Error('--semester must be a formsemestre id');
  const courseId = opts.course === undefined ? undefined : Number(opts.course);
  if (courseId !== undefined && (!Number.isSafeInteger(courseId) || courseId <= 0))
    throw new Error('--course must be a Moodle course id');
  const leavers = String(opts.leavers).toUpperCase();
  if (leavers !== 'KEEP' && leavers !== 'SUSPEND' && leavers !== 'UNENROL')
    throw new Error('--leavers must be keep, suspend or unenrol');
  return {
    semesterId,
    courseId,
    dryRun: opts.apply !== true,
    leavers,
    json: opts.json === true,
    demo,
  };
}
