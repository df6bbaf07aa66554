import { Presets, SingleBar } from 'cli-progress';
import ora from 'ora';
import type { Progress } from '../sync/apply';

/** What the user sees on stderr while the sync runs: a spinner while planning, then a bar per apply step. */
export interface Feedback {
  progress: Progress;
  stop(): void;
}

const silent: Feedback = { progress: () => {}, stop: () => {} };

/**
 * Only on a terminal: redirected to a file or a CI log, redraws would be escape-code noise. stdout is never
 * written to, so --json output stays clean even with feedback on. A pseudo-terminal of 0 columns (`script`
 * without a size) counts as none: ora would redraw it line by line forever.
 */
export function feedbackOn(stream: NodeJS.WriteStream, what: string): Feedback {
  if (!stream.isTTY || !(stream.columns > 0)) return silent;
  // Planning reports no progress: the spinner covers it and gives way to the bars at the first report.
  const spinner = ora({ text: `Planning ${what}: reading ScoDoc and Moodle…`, stream }).start();
  const bar = new SingleBar(
    { format: ' {step} [{bar}] {value}/{total}', stream, noTTYOutput: false },
    Presets.shades_classic,
  );
  let current = '';
  return {
    progress: (step, done, total) => {
      if (step !== current) {
        if (current) bar.stop();
        else spinner.stop();
        current = step;
        bar.start(total, 0, { step: step.padEnd(13) });
      }
      bar.update(done);
    },
    stop: () => {
      spinner.stop();
      if (current) bar.stop();
    },
  };
}
