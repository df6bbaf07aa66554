import { parseCommandLine } from './cli/args';
import { followJob, syncAsJob } from './cli/job';
import { serve } from './cli/serve';
import { syncFromTerminal } from './cli/sync';
import { ConfigError } from './config';

/**
 * `campusgraph sync …`: the same sync as the syncSemester mutation, from a terminal, with the same
 * configuration as the server (or simulators with --demo), or as a job of a gateway (--gateway);
 * `campusgraph job <id>` follows such a job; `campusgraph serve` runs the gateway in several processes.
 * `campusgraph <command> --help` describes each. Exit code: 0 all done, 1 something failed, 2 bad usage or
 * configuration.
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if ('exitCode' in parsed) return parsed.exitCode;
  if (parsed.command === 'serve') return serve(parsed.args);
  if (parsed.command === 'job') return followJob(parsed.args);
  const { gateway } = parsed.args;
  return gateway ? syncAsJob({ ...parsed.args, gateway }) : syncFromTerminal(parsed.args);
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
