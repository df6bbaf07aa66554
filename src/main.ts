import { ConfigError, loadConfig, requireServerAuth, secretsOf } from './config';
import { createLogger, type Logger } from './log';
import { initTracing } from './observability/otel';
import { runOrExit } from './process';
import { createGateway, type Gateway } from './server';
import { upstreamsOf } from './demo';

/**
 * The self-check before serving: a refused ScoDoc account or Moodle token stops the start (nothing would
 * work); anything else it finds (a missing function or route, a capability whose absence makes look-ups
 * answer nothing) is logged as a warning with its fix, and stays visible in /ready.
 */
async function checkUpstreams(gateway: Gateway, log: Logger): Promise<void> {
  const { scodoc, moodle } = await gateway.selfCheck();
  const refused = [
    scodoc.unauthorized ? `ScoDoc: ${scodoc.error}` : null,
    moodle.unauthorized ? `Moodle: ${moodle.error}` : null,
  ].filter((p): p is string => p !== null);
  if (refused.length > 0) throw new ConfigError(refused);
  for (const [system, check] of [
    ['scodoc', scodoc],
    ['moodle', moodle],
  ] as const) {
    if (check.error)
      log.warn({ upstream: system }, `${system} could not be checked: ${check.error}`);
    for (const problem of check.problems) log.warn({ upstream: system }, problem);
  }
  if (moodle.reachable) log.info({ release: moodle.release, version: moodle.version }, 'Moodle');
}

// `npm start`: the gateway. Each upstream without a configured URL is simulated on loopback (demo mode).
await runOrExit(async () => {
  const config = loadConfig();
  requireServerAuth(config);
  const stopTracing = initTracing({ endpoint: config.otelEndpoint });
  const log = createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    personalData: config.logPersonalData,
    pseudonymKey: config.logPseudonymKey,
  });
  if (config.security.auth.disabled && !(config.scodoc.simulated && config.moodle.simulated)) {
    log.warn(
      'AUTH_DISABLED=true with a real upstream: anyone who can reach this gateway can read and change ScoDoc and Moodle data',
    );
  }

  const upstreams = await upstreamsOf(config, log);
  const { scodoc, moodle } = upstreams;

  const gateway = createGateway({
    scodoc,
    moodle,
    log,
    production: config.env === 'production',
    linking: config.linking,
    listCacheTtlMs: config.listCacheTtlMs,
    responseCacheTtlMs: config.responseCacheTtlMs,
    accounts: config.accounts,
    security: config.security,
    resilience: config.resilience,
    metricsEndpoint: config.metrics,
  });
  await checkUpstreams(gateway, log);
  const url = await gateway.listen(config.port, config.host);
  const simulatedNote = 'simulated: its changes vanish when the gateway stops';
  const mode =
    config.scodoc.simulated && config.moodle.simulated
      ? 'demo mode: both upstreams simulated'
      : config.scodoc.simulated || config.moodle.simulated
        ? `hybrid: ScoDoc ${config.scodoc.simulated ? 'simulated' : 'real'}, Moodle ${config.moodle.simulated ? 'simulated' : 'real'}`
        : 'both upstreams real';
  log.info(
    {
      graphql: `${url}/graphql`,
      health: `${url}/health`,
      scodoc: config.scodoc.simulated ? `${simulatedNote} (${scodoc.url})` : 'real (SCODOC_URL)',
      moodle: config.moodle.simulated ? `${simulatedNote} (${moodle.url})` : 'real (MOODLE_URL)',
    },
    `Campus Graph ready (${mode})`,
  );
  process.stdout.write(
    [
      '',
      `Campus Graph (${mode}): GraphiQL at ${url}/graphql`,
      `  ScoDoc: ${config.scodoc.simulated ? `simulated at ${scodoc.url} — its changes vanish on restart` : `real, ${scodoc.url}`}`,
      `  Moodle: ${config.moodle.simulated ? `simulated at ${moodle.url} — its changes vanish on restart` : `real, ${moodle.url}`}`,
      '',
      '',
    ].join('\n'),
  );

  return async () => {
    log.info(
      { graceMs: config.shutdownGraceMs },
      'shutting down: no new requests, finishing those in flight',
    );
    await gateway.close({ graceMs: config.shutdownGraceMs });
    await upstreams.close();
    await stopTracing();
  };
});
