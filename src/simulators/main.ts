import { loadConfig } from '../config';
import { createLogger } from '../log';
import { runOrExit } from '../process';
import { startSimulators } from './start';

// `npm run sim`: both simulators alone, on their configured ports, for poking at them with curl or a client.
await runOrExit(async () => {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  const sims = await startSimulators(
    { scodoc: true, moodle: true, ...config.simulators, host: '127.0.0.1' },
    log,
  );
  log.info(
    {
      scodoc: `${sims.scodoc!.url}/ScoDoc`,
      moodle: sims.moodle!.url,
      students: config.simulators.students,
      seed: config.simulators.seed,
    },
    'simulators ready (ScoDoc user demo/demo, Moodle token demo-moodle-token); test hooks under /__sim/',
  );
  return () => sims.close();
});
