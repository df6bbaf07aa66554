import { ConfigError } from './config';

/**
 * Runs an entry point: a configuration problem prints its lines and exits 1 without a stack trace; the
 * returned closer runs on SIGINT/SIGTERM so ports and pools are released.
 */
export async function runOrExit(start: () => Promise<() => Promise<void>>): Promise<void> {
  // Listening for signals before starting: a SIGTERM sent as soon as the "ready" line is out (an
  // orchestrator, a test) would otherwise meet Node's default handler and kill the process mid-answer.
  let close: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping || !close) {
      stopping = true;
      return;
    }
    stopping = true;
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  try {
    close = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      // One problem, one line (what to change is in it); several, one line each under a heading.
      process.stderr.write(
        err.problems.length === 1
          ? `Campus Graph cannot start: ${err.problems[0]}\n`
          : `${err.message}\n`,
      );
    } else {
      process.stderr.write(`Failed to start: ${(err as Error).message}\n`);
    }
    process.exit(1);
  }
  // A signal that came while starting: stop now that there is something to close.
  if (stopping) {
    stopping = false;
    await stop();
  }
}
