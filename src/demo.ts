import type { Config } from './config';
import type { Logger } from './log';
import type { RunningSimulators } from './simulators/start';
import type { MoodleConfig } from './upstreams/moodle/config';
import type { ScodocConfig } from './upstreams/scodoc/config';

/** The upstreams a process talks to: the configured ones, and simulators on loopback for the others. */
export interface Upstreams {
  scodoc: ScodocConfig;
  moodle: MoodleConfig;
  /** The simulators started, if any (their demo university included). */
  simulators?: RunningSimulators;
  close(): Promise<void>;
}

/**
 * Starts a simulator for each upstream without a configured URL (or for both with `everything`, the CLI's
 * --demo) and returns the configs that point at them. The simulators are imported only then: a
 * production start does not load them.
 */
export async function upstreamsOf(
  config: Config,
  log?: Logger,
  opts: { everything?: boolean; ports?: 'configured' | 'any' } = {},
): Promise<Upstreams> {
  const simulateScodoc = opts.everything === true || config.scodoc.simulated;
  const simulateMoodle = opts.everything === true || config.moodle.simulated;
  if (!config.scodoc.simulated && !config.moodle.simulated && !opts.everything)
    return { scodoc: config.scodoc, moodle: config.moodle, close: async () => {} };
  const sim = await import('./simulators/start');
  const anyPort = opts.ports === 'any';
  const simulators = await sim.startSimulators(
    {
      scodoc: simulateScodoc,
      moodle: simulateMoodle,
      ...config.simulators,
      ...(anyPort ? { scodocPort: 0, moodlePort: 0 } : {}),
      host: '127.0.0.1',
    },
    log,
  );
  const scodoc: ScodocConfig =
    simulateScodoc || config.scodoc.simulated
      ? {
          ...config.scodoc,
          url: `${simulators.scodoc!.url}/ScoDoc`,
          username: sim.SCODOC_SIM_USER,
          password: sim.SCODOC_SIM_PASSWORD,
        }
      : config.scodoc;
  const moodle: MoodleConfig =
    simulateMoodle || config.moodle.simulated
      ? { ...config.moodle, url: simulators.moodle!.url, token: sim.MOODLE_SIM_TOKEN }
      : config.moodle;
  return { scodoc, moodle, simulators, close: () => simulators.close() };
}
