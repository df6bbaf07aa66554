import type { Logger } from '../log';
import { generateDemoUniversity } from './demo-data/generate';
import type { DemoUniversity } from './demo-data/types';
import { startMoodleSimulator } from './moodle/server';
import { startScodocSimulator } from './scodoc/server';

/** Credentials the simulators accept; they are demo values, not secrets. */
export const SCODOC_SIM_USER = 'demo';
export const SCODOC_SIM_PASSWORD = 'demo';
export const MOODLE_SIM_TOKEN = 'demo-moodle-token';

export interface SimulatorOptions {
  scodoc: boolean;
  moodle: boolean;
  scodocPort: number;
  moodlePort: number;
  host?: string;
  seed: number;
  students: number;
  today?: string;
}

export type RunningSimulators = Awaited<ReturnType<typeof startSimulators>>;

/** Starts the requested simulators on one shared demo university, so ScoDoc and Moodle data line up. */
export async function startSimulators(opts: SimulatorOptions, log?: Logger) {
  const university: DemoUniversity = generateDemoUniversity({
    seed: opts.seed,
    students: opts.students,
    today: opts.today,
  });
  const scodoc = opts.scodoc
    ? await startScodocSimulator({
        university,
        port: opts.scodocPort,
        host: opts.host,
        username: SCODOC_SIM_USER,
        password: SCODOC_SIM_PASSWORD,
      })
    : undefined;
  const moodle = opts.moodle
    ? await startMoodleSimulator({
        university,
        port: opts.moodlePort,
        host: opts.host,
        token: MOODLE_SIM_TOKEN,
      })
    : undefined;
  if (scodoc)
    log?.info({ url: `${scodoc.url}/ScoDoc`, user: SCODOC_SIM_USER }, 'ScoDoc simulator started');
  if (moodle) log?.info({ url: moodle.url }, 'Moodle simulator started');
  return {
    university,
    scodoc,
    moodle,
    async close() {
      await Promise.all([scodoc?.close(), moodle?.close()]);
    },
  };
}
