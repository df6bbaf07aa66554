import { loadConfig, requireServerAuth, secretsOf } from './config';
import { createLogger } from './log';
import { initTracing } from './observability/otel';
import { runOrExit } from './process';
import { createGateway } from './server';
import type { MoodleConfig } from './upstreams/moodle/config';
import type { ScodocConfig } from './upstreams/scodoc/config';
import {
  MOODLE_SIM_TOKEN,
  SCODOC_SIM_PASSWORD,
  SCODOC_SIM_USER,
  startSimulators,
} from './simulators/start';

// `npm start`: the gateway. Each upstream without a configured URL is simulated on loopback (demo mode).
await runOrExit(async () => {
  const config = loadConfig();
  requireServerAuth(config);
  const stopTracing = initTracing({ endpoint: config.otelEndpoint });
  const log = createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
  });
  if (config.security.auth.disabled && !(config.scodoc.simulated && config.moodle.simulated)) {
    log.warn(
      'AUTH_DISABLED=true with a real upstream: anyone who can reach this gateway can read and change ScoDoc and Moodle data',
    );
  }

  const sims = await startSimulators(
    {
      scodoc: config.scodoc.simulated,
      moodle: config.moodle.simulated,
      ...config.simulators,
      host: '127.0.0.1',
    },
    log,
  );
  const scodoc: ScodocConfig = config.scodoc.simulated
    ? {
        ...config.scodoc,
        url: `${sims.scodoc!.url}/ScoDoc`,
        username: SCODOC_SIM_USER,
        password: SCODOC_SIM_PASSWORD,
      }
    : config.scodoc;
  const moodle: MoodleConfig = config.moodle.simulated
    ? { ...config.moodle, url: sims.moodle!.url, token: MOODLE_SIM_TOKEN }
    : config.moodle;

  const gateway = createGateway({
    scodoc,
    moodle,
    log,
    production: config.env === 'production',
    linking: config.linking,
    listCacheTtlMs: config.listCacheTtlMs,
    accounts: config.accounts,
    security: config.security,
    resilience: config.resilience,
  });
  const url = await gateway.listen(config.port, config.host);
  log.info(
    {
      graphql: `${url}/graphql`,
      health: `${url}/health`,
      scodoc: config.scodoc.simulated ? `simulated at ${scodoc.url}` : 'real (SCODOC_URL)',
      moodle: config.moodle.simulated ? `simulated at ${moodle.url}` : 'real (MOODLE_URL)',
    },
    config.scodoc.simulated || config.moodle.simulated
      ? 'Campus Graph ready (demo mode)'
      : 'Campus Graph ready',
  );
  process.stdout.write(`\nCampus Graph: GraphiQL at ${url}/graphql\n\n`);

  return async () => {
    log.info(
      { graceMs: config.shutdownGraceMs },
      'shutting down: no new requests, finishing those in flight',
    );
    await gateway.close({ graceMs: config.shutdownGraceMs });
    await sims.close();
    await stopTracing();
  };
});
