import { ConfigError, loadConfig, requireServerAuth, secretsOf, type Config } from './config';
import { upstreamsOf, type Upstreams } from './demo';
import { createLogger, type Logger } from './log';
import { initTracing } from './observability/otel';
import { runOrExit } from './process';
import { createGateway, type Gateway, type GatewayOptions } from './server';
import { listenProblem, upstreamProblems } from './startup';

/**
 * The self-check before serving: refused credentials, or an upstream that cannot be reached (unless
 * START_DEGRADED=true), stop the start with a line naming the variable; anything else it finds (a missing
 * function or route, a capability whose absence makes look-ups answer nothing) is logged as a warning with
 * its fix, and stays visible in /ready.
 */
async function checkUpstreams(gateway: Gateway, log: Logger, degraded: boolean): Promise<void> {
  const check = await gateway.selfCheck();
  const { fatal, warnings } = upstreamProblems(check, degraded);
  if (fatal.length > 0) throw new ConfigError(fatal);
  for (const { upstream, message } of warnings) log.warn({ upstream }, message);
  if (check.moodle.reachable)
    log.info({ release: check.moodle.release, version: check.moodle.version }, 'Moodle');
}

async function listen(gateway: Gateway, config: Config): Promise<string> {
  try {
    return await gateway.listen(config.port, config.host);
  } catch (err) {
    const ports = [
      { variable: 'PORT', port: config.port },
      { variable: 'METRICS_PORT', port: config.metrics.port ?? 0 },
    ];
    const problem = listenProblem(err, ports, { variable: 'HOST', value: config.host });
    throw problem ? new ConfigError([problem]) : err;
  }
}

/** What is real and what is not, said once at start: a log line, and in development a short banner. */
function announce(config: Config, upstreams: Upstreams, url: string, log: Logger): void {
  const side = (simulated: boolean, at: string) =>
    simulated ? `simulated at ${at}: its changes vanish on restart` : `real, ${at}`;
  const scodoc = side(config.scodoc.simulated, upstreams.scodoc.url);
  const moodle = side(config.moodle.simulated, upstreams.moodle.url);
  const mode =
    config.scodoc.simulated && config.moodle.simulated
      ? 'demo mode: both upstreams simulated'
      : config.scodoc.simulated || config.moodle.simulated
        ? `hybrid: ScoDoc ${config.scodoc.simulated ? 'simulated' : 'real'}, Moodle ${config.moodle.simulated ? 'simulated' : 'real'}`
        : 'ScoDoc and Moodle real';
  const graphiql = config.security.graphiql ? `GraphiQL at ${url}/graphql` : 'GraphiQL off';
  const settings = config.source.file
    ? `${config.source.fromFile} setting(s) from ${config.source.file}, the environment wins`
    : 'settings from the environment';
  // Rate limits and caches: one set for every replica, or each process its own.
  const state = config.redis ? 'state shared through Redis' : 'state per process';
  log.info(
    {
      graphql: `${url}/graphql`,
      graphiql: config.security.graphiql,
      scodoc,
      moodle,
      settings,
      state,
    },
    `Campus Graph ready (${mode}) at ${url}/graphql; ${graphiql}; ${state}`,
  );
  if (config.env !== 'development') return;
  process.stdout.write(
    [
      '',
      `Campus Graph (${mode}): GraphQL at ${url}/graphql, ${graphiql}`,
      `  ScoDoc: ${scodoc}`,
      `  Moodle: ${moodle}`,
      `  ${settings}, ${state}`,
      '',
      '',
    ].join('\n'),
  );
}

// `npm start`: the gateway. Each upstream without a configured URL is simulated on loopback (demo mode).
await runOrExit(async () => {
  const config = loadConfig();
  requireServerAuth(config);
  const stopTracing = await initTracing({ endpoint: config.otelEndpoint });
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    secrets: secretsOf(config),
    personalData: config.logPersonalData,
    pseudonymKey: config.logPseudonymKey,
  });
  if (config.security.auth.disabled && !(config.scodoc.simulated && config.moodle.simulated)) {
    log.warn(
      'AUTH_DISABLED=true with a real upstream: anyone who can reach this gateway can read and change ScoDoc and Moodle data',
    );
  }

  const upstreams = await startUpstreams(config, log);
  // Imported only with REDIS_URL: without it no connection is tried and ioredis is never loaded.
  const shared = config.redis
    ? await (
        await import('./shared-state/open')
      ).openSharedState({ ...config, redis: config.redis }, upstreams, log)
    : null;
  const gateway = createGateway({
    scodoc: upstreams.scodoc,
    moodle: upstreams.moodle,
    log,
    production: config.env === 'production',
    linking: config.linking,
    listCacheTtlMs: config.listCacheTtlMs,
    responseCacheTtlMs: config.responseCacheTtlMs,
    accounts: config.accounts,
    security: config.security,
    resilience: config.resilience,
    metricsEndpoint: config.metrics,
    rateLimitStore: shared?.rateLimitStore,
    shared: shared?.stores,
    jobs: await syncJobsOf(config),
  });
  try {
    await checkUpstreams(gateway, log, config.startDegraded);
    announce(config, upstreams, await listen(gateway, config), log);
  } catch (err) {
    await gateway.close({ graceMs: 0 });
    await shared?.close();
    await upstreams.close();
    throw err;
  }

  return async () => {
    log.info(
      { graceMs: config.shutdownGraceMs },
      'shutting down: no new requests, finishing those in flight',
    );
    await gateway.close({ graceMs: config.shutdownGraceMs });
    await shared?.close();
    await upstreams.close();
    await stopTracing();
  };
});

/**
 * Sync jobs on BullMQ when Redis is configured (durable, run by any replica); otherwise the gateway's
 * default, in process. BullMQ is loaded only then.
 */
async function syncJobsOf(config: Config): Promise<GatewayOptions['jobs']> {
  if (!config.redis) return undefined;
  const { BullSyncJobs } = await import('./jobs/bullmq');
  const redisUrl = config.redis.url;
  return (deps) => new BullSyncJobs(deps, { redisUrl, lockMs: config.jobs.lockMs });
}

/** The configured upstreams, with a simulator for each that has no URL; a simulator's port in use is named. */
async function startUpstreams(config: Config, log: Logger): Promise<Upstreams> {
  try {
    return await upstreamsOf(config, log);
  } catch (err) {
    const ports = [
      { variable: 'SCODOC_SIM_PORT', port: config.simulators.scodocPort },
      { variable: 'MOODLE_SIM_PORT', port: config.simulators.moodlePort },
    ];
    const problem = listenProblem(err, ports, { variable: 'HOST', value: '127.0.0.1' });
    throw problem ? new ConfigError([problem]) : err;
  }
}
