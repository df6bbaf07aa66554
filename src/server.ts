import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createYoga } from 'graphql-yoga';
import { Metrics } from './observability/metrics';
import { knownOperationNames } from './observability/operations';
import { requestScope, type RequestScope } from './observability/request-context';
import { inSpan } from './observability/tracing';
import { drain, InFlightRequests, shuttingDown } from './shutdown';
import { awaitListInvalidations, observeOperations, requestLimits } from './yoga-plugins';
import type { JobDeps } from './jobs/execute';
import { LocalSyncJobs } from './jobs/local';
import type { SyncJobs } from './jobs/model';
import { typesChangedBy } from './graph/mutations/changes';
import { readiness, type SelfCheck } from './health/readiness';
import type { ResilienceOptions } from './upstreams/resilience';
import type { SharedStores } from './shared-state/stores';
import { createAuthenticator, type Authenticator } from './auth/authenticate';
import { AuthFailureThrottle, MemoryRateLimitStore, type RateLimitStore } from './auth/rate-limit';
import type { Caller } from './auth/scopes';
import { loadConfig, type SecurityConfig } from './config';
import type { AccountPolicy } from './domain/accounts';
import type { LinkingRules } from './domain/linking';
import { ListCache, type ListStore } from './domain/list-cache';
import { createContextFactory } from './graph/context';
import { maskError, yogaErrorLogged } from './graph/errors';
import { createResponseCache } from './graph/response-cache';
import { schema } from './graph/schema';
import { selfHostedGraphiQL } from './graphiql';
import type { Logger } from './log';
import { createMoodleClient } from './upstreams/moodle/client';
import type { MoodleConfig } from './upstreams/moodle/config';
import { createScodocClient } from './upstreams/scodoc/client';
import type { ScodocConfig } from './upstreams/scodoc/config';

export interface GatewayOptions {
  scodoc: ScodocConfig;
  moodle: MoodleConfig;
  log: Logger;
  production?: boolean;
  linking?: LinkingRules;
  listCacheTtlMs?: number;
  /** Query answers reused for callers with the same scopes (README "Response cache"); 0 = off. */
  responseCacheTtlMs?: number;
  accounts?: AccountPolicy;
  security?: SecurityConfig;
  rateLimitStore?: RateLimitStore;
  /** Lists, answers and in-flight reads shared by the replicas (REDIS_URL); unset = in this process. */
  shared?: SharedStores;
  /** Retries, breaker and queue settings for both upstreams (timeouts and pool sizes come from their configs). */
  resilience?: Partial<ResilienceOptions>;
  metrics?: Metrics;
  /** Where /metrics is served: on the main port unless `port` (its own listener); `token` = Bearer required. */
  metricsEndpoint?: { port?: number; token?: string };
  /** Operation names the metrics label may carry (others count as `other`); default: the example operations. */
  operationNames?: string[];
  /** Today's date (ISO) for "current" semesters; tests fix it. */
  today?: () => string;
  /** Sync jobs, made from what a run needs: BullMQ's with Redis (main.ts); by default in this process. */
  jobs?: (deps: JobDeps) => SyncJobs;
}

export interface Gateway {
  server: Server;
  /** The /metrics listener when `metricsEndpoint.port` is set (started by `listen`), else null. */
  metricsServer: Server | null;
  metrics: Metrics;
  /** The upstreams' self-check (releases, missing functions or routes, capability problems). */
  selfCheck(): Promise<SelfCheck>;
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then closes the upstream pools. */
  close(opts?: { graceMs?: number }): Promise<void>;
}

type AuthenticatedRequest = IncomingMessage & { caller?: Caller };

/** What an unset option means: the configuration's own defaults (an empty environment). */
const DEFAULTS = loadConfig({});

/** Demo defaults: no client authentication, GraphiQL on, a generous rate limit. */
export const OPEN_SECURITY: SecurityConfig = {
  ...DEFAULTS.security,
  auth: { apiKeys: [], jwt: null, disabled: true },
  rateLimitPerMinute: 6000,
};

/** The gateway: one Yoga instance over both upstream clients, behind authentication and request limits. */
export function createGateway(opts: GatewayOptions): Gateway {
  const security = opts.security ?? OPEN_SECURITY;
  const metrics = opts.metrics ?? new Metrics();
  const upstreamOpts = { metrics, resilience: opts.resilience, sharedReads: opts.shared?.reads };
  const scodoc = createScodocClient(opts.scodoc, upstreamOpts);
  const moodle = createMoodleClient(opts.moodle, upstreamOpts);
  const sharedState = opts.shared?.report;
  const health = readiness(scodoc, moodle, { scodocScope: opts.scodoc.dept, sharedState });
  const auth = createAuthenticator(security.auth);
  const limiter = opts.rateLimitStore ?? new MemoryRateLimitStore();
  const authFailures = new AuthFailureThrottle(security.authFailuresPerMinute, 60_000);
  const inFlight = new InFlightRequests();
  const knownOperations = new Set(opts.operationNames ?? knownOperationNames());
  const metricsPort = opts.metricsEndpoint?.port;
  const metricsToken = opts.metricsEndpoint?.token;
  const responseCacheTtlMs = opts.responseCacheTtlMs ?? DEFAULTS.responseCacheTtlMs;
  const responseCache =
    responseCacheTtlMs > 0
      ? createResponseCache({
          ...{ schema, ttlMs: responseCacheTtlMs, metrics, log: opts.log },
          store: opts.shared?.responseCacheStore,
        })
      : undefined;
  const graphiql = security.graphiql ? selfHostedGraphiQL('Campus Graph') : null;
  const lists: ListStore =
    opts.shared?.lists ?? new ListCache(opts.listCacheTtlMs ?? DEFAULTS.listCacheTtlMs);
  const linking = opts.linking ?? DEFAULTS.linking;
  const accounts = opts.accounts ?? DEFAULTS.accounts;
  const jobs = (opts.jobs ?? ((deps) => new LocalSyncJobs(deps)))({
    writes: { scodoc, moodle, linking, lists, log: opts.log, accounts },
    log: opts.log,
    afterRun: async (input) => responseCache?.invalidate(typesChangedBy('syncSemester', input)),
  });
  const yoga = createYoga<{ req: AuthenticatedRequest }>({
    schema,
    context: createContextFactory({
      scodoc,
      moodle,
      log: opts.log,
      linking,
      accounts,
      lists,
      jobs,
      today: opts.today ?? (() => new Date().toISOString().slice(0, 10)),
      responseCache,
    }),
    graphqlEndpoint: '/graphql',
    graphiql: graphiql?.options ?? false,
    renderGraphiQL: graphiql?.render,
    cors:
      security.corsOrigins.length > 0
        ? {
            origin: security.corsOrigins,
            methods: ['GET', 'POST', 'OPTIONS'],
            allowedHeaders: ['authorization', 'content-type'],
            credentials: false,
            maxAge: 600,
          }
        : false,
    maskedErrors: {
      maskError: (error, message) => maskError(error, message, opts.log),
      isDev: false,
    },
    landingPage: false,
    // The body cap is the gateway's own (before Yoga, and capChunkedBody in yoga-plugins.ts).
    maxRequestBodySize: false,
    plugins: [
      ...requestLimits(security, opts.production ?? false),
      observeOperations(metrics, knownOperations),
      ...(responseCache?.plugins ?? []),
      ...(lists.settled ? [awaitListInvalidations(lists)] : []),
    ],
    logging: {
      debug: (...args) => opts.log.debug(args.map(String).join(' ')),
      info: (...args) => opts.log.info(args.map(String).join(' ')),
      warn: (...args) => opts.log.warn(args.map(String).join(' ')),
      // Errors Yoga masked are logged once, by maskError, without the query text.
      error: (...args) => {
        if (!yogaErrorLogged(args)) opts.log.error(args.map(String).join(' '));
      },
    },
  });

  // Node's deadlines for a whole request and for its headers (Node's own default lets a slow body hold a
  // socket for 300 s); they are enforced on each check of the connections, so that check runs often enough.
  const serverOptions = {
    requestTimeout: security.requestTimeoutMs,
    headersTimeout: security.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(
      100,
      Math.min(30_000, Math.floor(security.headersTimeoutMs / 4)),
    ),
  };
  const server = createServer(serverOptions, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A request the shutdown already answered: its handler's late answer has nowhere to go.
      if (inFlight.wasCut(res)) return;
      opts.log.error({ err }, 'request failed before GraphQL');
      if (!res.headersSent) reply(res, 500, { errors: [{ message: 'Unexpected error.' }] });
    });
  });
  const metricsServer =
    metricsPort === undefined
      ? null
      : createServer(serverOptions, (req, res) => {
          const path = (req.url ?? '/').split('?')[0];
          if (path !== '/metrics') return reply(res, 404, { error: 'not found' });
          serveMetrics(req, res).catch((err: unknown) => {
            opts.log.error({ err }, 'metrics failed');
            if (!res.headersSent) reply(res, 500, { error: 'Unexpected error.' });
          });
        });

  async function serveMetrics(req: IncomingMessage, res: ServerResponse) {
    if (metricsToken !== undefined && !bearerMatches(req.headers.authorization, metricsToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="campus-graph-metrics"');
      return reply(res, 401, {
        error: 'Authentication required: Authorization: Bearer <METRICS_TOKEN>.',
      });
    }
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(await metrics.registry.metrics());
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    // Liveness: answered first, so it never touches an upstream, a plugin or a rate limit.
    if (path === '/health') return reply(res, 200, { status: 'ok' });
    if (path === '/ready') {
      if (inFlight.closing) return reply(res, 503, { ready: false, reason: 'shutting down' });
      const state = await health.ready();
      return reply(res, state.ready ? 200 : 503, state);
    }
    // On its own listener when METRICS_PORT is set, and then not here.
    if (path === '/metrics' && !metricsServer) return serveMetrics(req, res);
    // Requests on a kept-alive connection after the shutdown began: to another replica.
    if (inFlight.closing) {
      res.setHeader('connection', 'close');
      return reply(res, 503, shuttingDown());
    }
    // GraphiQL's scripts and styles: static, public (the npm package's), so before authentication.
    if (graphiql && (await graphiql.serve(req, res))) return;
    const requestId = safeRequestId(req.headers['x-request-id']) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const scope: RequestScope = { requestId };
    inFlight.track(res, scope);
    return requestScope.run(scope, () =>
      inSpan('graphql request', { 'http.method': req.method ?? '', 'request.id': requestId }, () =>
        serveGraphQL(req, res),
      ),
    );
  }

  async function serveGraphQL(req: IncomingMessage, res: ServerResponse) {
    const refuse = (status: number, outcome: string, body: unknown) => {
      metrics.graphqlRequests.inc({ operation: 'unknown', outcome });
      return reply(res, status, body);
    };
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > security.maxBodyBytes)
      return refuse(413, 'too_large', {
        errors: [
          {
            message: `Request body over ${security.maxBodyBytes} bytes.`,
            extensions: { code: 'PAYLOAD_TOO_LARGE' },
          },
        ],
      });
    // An address that failed authentication too often is refused before its credentials are looked at, so
    // guessing keys or tokens stays slow (a right guess is refused too until the window ends).
    const ip = req.socket.remoteAddress ?? 'unknown';
    const blockedMs = authFailures.blockedFor(ip);
    if (blockedMs > 0) {
      res.setHeader('retry-after', String(Math.ceil(blockedMs / 1000)));
      return refuse(429, 'auth_throttled', {
        errors: [
          {
            message: 'Too many failed authentications: try again later.',
            extensions: { code: 'RATE_LIMITED' },
          },
        ],
      });
    }
    const caller = await callerOf(req, auth, security);
    if (caller && 'failed' in caller) {
      authFailures.fail(ip);
      // The kind of failure and where from; never the credential presented.
      opts.log.warn({ ip, reason: caller.failed }, 'authentication failed');
      res.setHeader('www-authenticate', 'Bearer realm="campus-graph"');
      return refuse(401, 'unauthenticated', {
        errors: [
          {
            message: 'Authentication required: send Authorization: Bearer <API key or JWT>.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    }
    // The client, known now: its rate limit and its fair share of each upstream are counted under this key.
    const client =
      !caller || caller.name === 'anonymous' ? `ip:${req.socket.remoteAddress}` : caller.name;
    const scope = requestScope.getStore();
    if (scope) scope.client = client;
    if (caller) {
      const { allowed, retryAfterMs } = await limiter.hit(
        client,
        security.rateLimitPerMinute,
        60_000,
      );
      if (!allowed) {
        res.setHeader('retry-after', String(Math.ceil(retryAfterMs / 1000)));
        return refuse(429, 'rate_limited', {
          errors: [
            { message: 'Too many requests: slow down.', extensions: { code: 'RATE_LIMITED' } },
          ],
        });
      }
    }
    // Yoga's node listener gives the context factory {req, res}: the caller rides on the request.
    (req as AuthenticatedRequest).caller = caller ?? undefined;
    // Typed as Node's void listener, it returns the promise of the response being written: awaited, so
    // the request's span covers the whole answer.
    const written: unknown = yoga.requestListener(req, res);
    await written;
  }

  return {
    server,
    metricsServer,
    metrics,
    selfCheck: health.selfCheck,
    listen: async (port, host) => {
      if (metricsServer) await listenOn(metricsServer, metricsPort!, host);
      return listenOn(server, port, host);
    },
    close: async ({ graceMs = 10_000 } = {}) => {
      if (metricsServer?.listening) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
      await drain(server, inFlight, graceMs, opts.log);
      await jobs.close();
      await Promise.all([scodoc.close(), moodle.close()]);
    },
  };
}

/**
 * The caller, `null` for requests that need none (CORS preflight, the GraphiQL page itself), or
 * 'unauthenticated'. GraphiQL's page is static; the queries it sends carry the key like any client's.
 */
async function callerOf(
  req: IncomingMessage,
  auth: Authenticator,
  security: SecurityConfig,
): Promise<Caller | null | { failed: string }> {
  if (req.method === 'OPTIONS') return null;
  if (
    req.method === 'GET' &&
    security.graphiql &&
    String(req.headers.accept ?? '').includes('text/html')
  )
    return null;
  const result = await auth.authenticate(req.headers.authorization);
  return result.ok ? result.caller : { failed: result.reason };
}

function listenOn(server: Server, port: number, host?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve(`http://${host && host !== '0.0.0.0' ? host : 'localhost'}:${address.port}`);
    });
  });
}

/** `Authorization: Bearer <expected>`, compared in constant time. */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(m[1]!), digest(expected));
}

/** A client's own request id is kept when it is sane (so traces join up), replaced otherwise. */
function safeRequestId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : undefined;
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
