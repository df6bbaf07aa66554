import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };

/** What `campusgraph sync` was asked to do, validated. */
export interface SyncArgs {
  /** Absent only with --demo, which then picks a semester of the demo university. */
  semesterId?: number;
  courseId?: number;
  dryRun: boolean;
  leavers: 'KEEP' | 'SUSPEND' | 'UNENROL';
  groups: 'SYNC' | 'SKIP';
  removeEmptyGroups: boolean;
  json: boolean;
  demo: boolean;
  /** Run as a job of this gateway (startSyncSemester) instead of in this process. */
  gateway?: string;
}

/** `campusgraph job <id>`: follow a sync job of a gateway. */
interface JobArgs {
  jobId: string;
  gateway: string;
  json: boolean;
}

/** `campusgraph serve`: the gateway, in this many worker processes sharing the port. */
export interface ServeArgs {
  workers: number;
}

export type CliCommand =
  | { command: 'sync'; args: SyncArgs }
  | { command: 'job'; args: JobArgs }
  | { command: 'serve'; args: ServeArgs };

const EXIT_CODES = `Exit codes:
  0  done (the plan printed, or applied with no student left out)
  1  something failed: a student left out, or an upstream refused or was down
  2  bad usage or configuration`;

const ENVIRONMENT = `Environment (also read from a .env file in the current directory):
  SCODOC_URL, SCODOC_USERNAME, SCODOC_PASSWORD  the ScoDoc API and its account
  MOODLE_URL, MOODLE_TOKEN                      Moodle, its web-service token
  LOG_LEVEL                                     logs on stderr (default warn)
With --demo none is needed: simulated ScoDoc and Moodle are started instead.
With --gateway none is needed either (the gateway has them), only
  CAMPUS_GRAPH_API_KEY                          its API key, with the sync scope`;

const EXAMPLES = `Examples:
  campusgraph sync --demo                       the plan on simulated data
  campusgraph sync --semester 1010              the plan, nothing changed
  campusgraph sync --semester 1010 --apply --leavers suspend
  campusgraph sync --semester 1010 --json | jq .counts
  campusgraph sync --semester 1010 --apply --gateway https://graph.example.edu
  campusgraph job 6f1c… --gateway https://graph.example.edu`;

/** The parsed command line, or the exit code when commander already answered (help, version, bad usage). */
export function parseCommandLine(argv: string[]): CliCommand | { exitCode: number } {
  let args: CliCommand | undefined;
  const program = programOf((parsed) => (args = parsed));
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return { exitCode: err.exitCode === 0 ? 0 : 2 };
    throw err;
  }
  return args ?? { exitCode: 2 };
}

function programOf(onCommand: (args: CliCommand) => void): Command {
  const program = new Command('campusgraph')
    .description('Campus Graph from a terminal: the ScoDoc → Moodle sync, its jobs, the gateway.')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand(false)
    .addHelpText(
      'after',
      `\nRun \`campusgraph <command> --help\` for its options.\n\n${EXIT_CODES}\n`,
    )
    .showHelpAfterError('Run `campusgraph --help` for usage.')
    .exitOverride();
  program
    .command('sync')
    .description(
      'Plan the sync of a ScoDoc semester into its Moodle course and print it; with --apply, carry it out: ' +
        'accounts to create, enrolments to add, leavers to handle, groups to mirror.',
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
    .option('--groups <policy>', 'ScoDoc groups into Moodle groups: sync or skip', 'sync')
    .option('--remove-empty-groups', 'delete the groups ScoDoc emptied (default: leave them)')
    .option('--json', 'print plan and report as one JSON object on stdout, no table')
    .option('--demo', 'run against simulators started for the occasion, with generated data')
    .option(
      '--gateway <url>',
      'run it as a job of this gateway (durable with its Redis) and follow it, instead of here',
    )
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', `\n${ENVIRONMENT}\n\n${EXIT_CODES}\n\n${EXAMPLES}\n`)
    .showHelpAfterError('Run `campusgraph sync --help` for usage.')
    .exitOverride()
    .action(function (this: Command, opts: Record<string, unknown>) {
      usage(this, () => onCommand({ command: 'sync', args: validated(opts) }));
    });
  program
    .command('job')
    .description('Follow a sync job of a gateway until it ends, then print its report.')
    .argument('<id>', 'the job id (startSyncSemester answered it)')
    .requiredOption('--gateway <url>', 'the gateway running it')
    .option('--json', 'print the job as one JSON object on stdout')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', `\nEnvironment: CAMPUS_GRAPH_API_KEY, an API key with the sync scope.\n`)
    .exitOverride()
    .action(function (this: Command, id: string, opts: Record<string, unknown>) {
      usage(this, () =>
        onCommand({
          command: 'job',
          args: { jobId: id, gateway: gatewayUrl(opts.gateway), json: opts.json === true },
        }),
      );
    });
  program
    .command('serve')
    .description(
      'Run the gateway (as `npm start` does) in several worker processes sharing its port (node:cluster).',
    )
    .option('-w, --workers <n>', 'worker processes (default: one per CPU)')
    .helpOption('-h, --help', 'show this help')
    .addHelpText(
      'after',
      '\nThe gateway reads its configuration as `npm start` does (environment, .env).\n' +
        'Set REDIS_URL so that the workers share rate limits, caches and sync jobs;\n' +
        'without it each worker keeps its own.\n',
    )
    .exitOverride()
    .action(function (this: Command, opts: Record<string, unknown>) {
      usage(this, () => {
        const workers = opts.workers === undefined ? 0 : Number(opts.workers);
        if (!Number.isSafeInteger(workers) || workers < 0 || workers > 64)
          throw new Error('--workers must be a number of processes (1 to 64)');
        onCommand({ command: 'serve', args: { workers } });
      });
    });
  return program;
}

/** A validation error is one line and the hint, exit code 2: the same shape as commander's own. */
function usage(command: Command, run: () => void): void {
  try {
    run();
  } catch (err) {
    command.error(`error: ${(err as Error).message}`, { exitCode: 2, code: 'campusgraph.usage' });
  }
}

function gatewayUrl(value: unknown): string {
  const url = URL.canParse(String(value)) ? new URL(String(value)) : null;
  if (!url || !/^https?:$/.test(url.protocol))
    throw new Error('--gateway must be the http(s) URL of a Campus Graph gateway');
  return url.origin + url.pathname.replace(/\/graphql\/?$/, '').replace(/\/$/, '');
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
  const groups = String(opts.groups).toUpperCase();
  if (groups !== 'SYNC' && groups !== 'SKIP') throw new Error('--groups must be sync or skip');
  if (opts.gateway !== undefined && demo)
    throw new Error('--gateway and --demo do not go together');
  if (opts.gateway !== undefined && semesterId === undefined)
    throw new Error('--semester is required with --gateway');
  return {
    semesterId,
    courseId,
    dryRun: opts.apply !== true,
    leavers,
    groups,
    removeEmptyGroups: opts.removeEmptyGroups === true,
    json: opts.json === true,
    demo,
    gateway: opts.gateway === undefined ? undefined : gatewayUrl(opts.gateway),
  };
}
