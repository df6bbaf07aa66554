import { z } from 'zod';
import type { AccountPolicy } from './domain/accounts';
import { linkingSchema, type LinkingRules } from './domain/linking';
import { groupLinkVars, linkingOf } from './link-config';
import { EnvFileError, readEnvironment, withoutEmpty, type EnvironmentSource } from './environment';
import type { AuthSettings } from './auth/authenticate';
import { readApiKeys } from './auth/key-sources';
import * as persisted from './persisted-config';
import { redisSecrets, redisUrlSchema, syncJobLockMsSchema } from './shared-state/config';
import { PERSONAL_DATA_POLICIES, type PersonalDataPolicy } from './personal-data';
import type { MoodleConfig } from './upstreams/moodle/config';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from './upstreams/resilience';
import type { ScodocConfig } from './upstreams/scodoc/config';

/**
 * The environment, parsed once into a typed Config. Each bad or missing variable yields one line
 * naming it and what is expected; values are never echoed, because several of them are secrets.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();
const url = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

const envSchema = linkingSchema.extend({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pretty (pino-pretty, for a terminal) or json (one object per line, for a log collector). */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  /** Start even when an upstream cannot be reached (then /ready says 503 until it can). */
  START_DEGRADED: z.enum(['true', 'false']).default('false'),
  /** Students' NIPs, INEs, names, e-mails and birth dates in log lines (README "Security"). */
  LOG_PERSONAL_DATA: z.enum(PERSONAL_DATA_POLICIES).default('pseudonymous'),
  /** HMAC key of the pseudonyms, to keep them stable across restarts; random per process when unset. */
  LOG_PSEUDONYM_KEY: optionalString,

  SCODOC_URL: url.optional(),
  SCODOC_USERNAME: optionalString,
  SCODOC_PASSWORD: optionalString,
  SCODOC_DEPT: optionalString,
  SCODOC_TIMEOUT_MS: positiveMs.default(10_000),
  SCODOC_POOL_CONNECTIONS: z.coerce.number().int().positive().default(24),

  MOODLE_URL: url.optional(),
  MOODLE_TOKEN: optionalString,
  MOODLE_TIMEOUT_MS: positiveMs.default(10_000),
  /** Whole-course reads (a course's enrolments): 10.2 s at 15,243 users on a real Moodle. */
  MOODLE_SLOW_TIMEOUT_MS: positiveMs.default(60_000),
  MOODLE_POOL_CONNECTIONS: z.coerce.number().int().positive().default(24),
  /** Leaf form values per request; Moodle's max_input_vars (5000) silently truncates past it. */
  MOODLE_MAX_PARAMS_PER_REQUEST: z.coerce.number().int().min(10).max(5000).default(4000),

  /** Role ids by shortname, e.g. {"student":5}, for sites where no enrolled user reveals them. */
  MOODLE_ROLE_IDS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text?.trim()) return {};
      try {
        return z
          .record(z.string().regex(/^[a-z0-9_-]+$/), z.number().int().positive())
          .parse(JSON.parse(text));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'a JSON object of role shortname → id, e.g. {"student":5}',
        });
        return z.NEVER;
      }
    }),
  /** Accounts the gateway creates: username rule (always lower case) and Moodle auth plugin. */
  MOODLE_USERNAME_RULE: z.enum(['nip', 'firstname.lastname', 'email']).default('nip'),
  // `manual` is the one plugin every Moodle has (5.0 removed CAS from core, MDL-78778); SSO sites set theirs.
  MOODLE_AUTH: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'a Moodle auth plugin name, e.g. manual, ldap, shibboleth, oauth2, cas')
    .default('manual'),
  /** How long whole upstream lists (a département's étudiants, a category's courses) are reused for paging. */
  LIST_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  /** How long whole query answers are reused for callers with the same scopes; 0 = no response cache. */
  RESPONSE_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),

  // --- Client authentication and limits (see README "Security")
  API_KEYS: optionalString,
  API_KEYS_FILE: optionalString,
  JWT_SECRET: optionalString,
  JWT_JWKS_URL: url.optional(),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  JWT_SCOPES_CLAIM: z.string().min(1).default('scope'),
  AUTH_DISABLED: z.enum(['true', 'false']).default('false'),
  CORS_ORIGINS: optionalString,
  GRAPHIQL: z.enum(['true', 'false']).optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Failed authentications per IP per minute before 429 (credential guessing). */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** Node's whole-request and headers deadlines: a slow client cannot hold a socket for 300 s. */
  REQUEST_TIMEOUT_MS: positiveMs.default(30_000),
  HEADERS_TIMEOUT_MS: positiveMs.default(10_000),
  /** /metrics on its own listener (and off the main port) when set; a bearer token for it when set. */
  METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), port.optional()),
  METRICS_TOKEN: optionalString,
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_000_000),
  MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  MAX_ALIASES: z.coerce.number().int().min(1).default(15),
  MAX_TOKENS: z.coerce.number().int().min(100).default(5000),
  MAX_COST: z.coerce.number().int().min(100).default(20_000),
  /** Upstream calls one query may make, estimated before it runs and counted while it does. */
  MAX_UPSTREAM_CALLS: z.coerce.number().int().min(10).default(300),

  // --- Resilience and observability
  UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(5).default(DEFAULT_RESILIENCE.retries),
  UPSTREAM_QUEUE: z.coerce.number().int().min(0).default(DEFAULT_RESILIENCE.queue),
  /** Requests in flight per client to each upstream; unset (or empty) = half its pool, rounded up. */
  UPSTREAM_CLIENT_SHARE: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(1).optional(),
  ),
  BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(DEFAULT_RESILIENCE.breakerThreshold),
  BREAKER_HALF_OPEN_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(DEFAULT_RESILIENCE.breakerHalfOpenAfterMs),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  /** Shared state of several replicas (rate limits, caches, read deduplication); unset = per process. */
  REDIS_URL: redisUrlSchema,
  SYNC_JOB_LOCK_MS: syncJobLockMsSchema,
  ...persisted.persistedOperationVars,
  ...groupLinkVars,

  SCODOC_SIM_PORT: port.default(4101),
  MOODLE_SIM_PORT: port.default(4102),
  DEMO_SEED: z.coerce.number().int().default(2026),
  DEMO_STUDENTS: z.coerce.number().int().min(10).max(50_000).default(1000),
});

type Env = z.infer<typeof envSchema>;

/** `simulated: true` = no URL configured: demo mode starts a simulator and fills url and credentials in. */
type Upstream<T> =
  | (T & { simulated: false })
  | (Omit<T, 'url' | 'username' | 'password' | 'token'> & { simulated: true });

export interface Config {
  /** The `.env` file read, if any: the start line says where the settings came from. */
  source: EnvironmentSource;
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  logFormat: 'pretty' | 'json';
  startDegraded: boolean;
  logPersonalData: PersonalDataPolicy;
  logPseudonymKey?: string;
  scodoc: Upstream<ScodocConfig>;
  moodle: Upstream<MoodleConfig>;
  linking: Required<LinkingRules>;
  listCacheTtlMs: number;
  responseCacheTtlMs: number;
  accounts: AccountPolicy;
  security: SecurityConfig;
  resilience: Partial<ResilienceOptions>;
  /** Where /metrics is served: the main port unless `port`; `token` = Bearer token required. */
  metrics: { port?: number; token?: string };
  shutdownGraceMs: number;
  otelEndpoint?: string;
  /** Redis for the state every replica shares; null = each process keeps its own in memory. */
  redis: { url: string } | null;
  /** Sync jobs: how long a replica's claim on a running job lasts before another may resume it. */
  jobs: { lockMs: number };
  simulators: { scodocPort: number; moodlePort: number; seed: number; students: number };
}

export interface SecurityConfig {
  auth: AuthSettings;
  /** Browser origins allowed by CORS; none = no cross-origin browser access. */
  corsOrigins: string[];
  graphiql: boolean;
  introspection: boolean;
  rateLimitPerMinute: number;
  /** Failed authentications per IP per minute; past it 429 with Retry-After. */
  authFailuresPerMinute: number;
  /** Node server deadlines for a whole request and for its headers. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxBodyBytes: number;
  limits: { depth: number; aliases: number; tokens: number; cost: number; upstreamCalls: number };
  persistedOperations: persisted.PersistedOperationsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The configuration from `source`, or by default from the environment over the `.env` file (see
 * environment.ts). An empty value counts as unset.
 */
export function loadConfig(source?: NodeJS.ProcessEnv): Config {
  let origin: EnvironmentSource = { fromFile: 0 };
  if (source === undefined) {
    try {
      ({ env: source, source: origin } = readEnvironment());
    } catch (err) {
      if (err instanceof EnvFileError) throw new ConfigError([err.message]);
      throw err;
    }
  }
  const parsed = envSchema.safeParse(withoutEmpty(source));
  const problems: string[] = [];
  if (!parsed.success) {
    // One line per variable, whatever number of rules it broke. Zod messages describe the expectation, never
    // the received value, so secrets stay out.
    const byVariable = new Map<string, string[]>();
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      byVariable.set(name, [...(byVariable.get(name) ?? []), issue.message]);
    }
    for (const [name, messages] of byVariable) problems.push(`${name}: ${messages.join('; ')}`);
    throw new ConfigError(problems);
  }
  const env = parsed.data;

  if (env.SCODOC_URL) {
    if (!env.SCODOC_USERNAME) problems.push('SCODOC_USERNAME: required when SCODOC_URL is set');
    if (!env.SCODOC_PASSWORD) problems.push('SCODOC_PASSWORD: required when SCODOC_URL is set');
  } else {
    for (const name of ['SCODOC_USERNAME', 'SCODOC_PASSWORD', 'SCODOC_DEPT'] as const) {
      if (env[name])
        problems.push(
          `${name}: set without SCODOC_URL (set SCODOC_URL too, or unset it for demo mode)`,
        );
    }
  }
  if (env.MOODLE_URL) {
    if (!env.MOODLE_TOKEN) problems.push('MOODLE_TOKEN: required when MOODLE_URL is set');
  } else if (env.MOODLE_TOKEN) {
    problems.push(
      'MOODLE_TOKEN: set without MOODLE_URL (set MOODLE_URL too, or unset it for demo mode)',
    );
  }
  const apiKeys = readApiKeys(env.API_KEYS, env.API_KEYS_FILE, problems);
  const persistedOperations = persisted.persistedOperationsOf(env, problems);
  const jwtConfigured = Boolean(env.JWT_SECRET || env.JWT_JWKS_URL);
  if (env.JWT_SECRET && env.JWT_SECRET.length < 32)
    problems.push('JWT_SECRET: must be at least 32 characters');
  const disabled = env.AUTH_DISABLED === 'true';
  if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS)
    problems.push('HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS');
  if (problems.length > 0) throw new ConfigError(problems);
  const production = env.NODE_ENV === 'production';
  const graphiql = env.GRAPHIQL ? env.GRAPHIQL === 'true' : !production;

  return {
    source: origin,
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    // Pretty by default only in development: production log collectors want one JSON object per line.
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json'),
    startDegraded: env.START_DEGRADED === 'true',
    logPersonalData: env.LOG_PERSONAL_DATA,
    logPseudonymKey: env.LOG_PSEUDONYM_KEY,
    scodoc: env.SCODOC_URL
      ? {
          simulated: false,
          url: env.SCODOC_URL,
          username: env.SCODOC_USERNAME!,
          password: env.SCODOC_PASSWORD!,
          dept: env.SCODOC_DEPT,
          timeoutMs: env.SCODOC_TIMEOUT_MS,
          connections: env.SCODOC_POOL_CONNECTIONS,
        }
      : {
          simulated: true,
          timeoutMs: env.SCODOC_TIMEOUT_MS,
          connections: env.SCODOC_POOL_CONNECTIONS,
        },
    moodle: env.MOODLE_URL
      ? {
          simulated: false,
          url: env.MOODLE_URL,
          token: env.MOODLE_TOKEN!,
          timeoutMs: env.MOODLE_TIMEOUT_MS,
          slowTimeoutMs: env.MOODLE_SLOW_TIMEOUT_MS,
          connections: env.MOODLE_POOL_CONNECTIONS,
          maxParamsPerRequest: env.MOODLE_MAX_PARAMS_PER_REQUEST,
          roleIds: env.MOODLE_ROLE_IDS,
        }
      : {
          simulated: true,
          timeoutMs: env.MOODLE_TIMEOUT_MS,
          slowTimeoutMs: env.MOODLE_SLOW_TIMEOUT_MS,
          connections: env.MOODLE_POOL_CONNECTIONS,
          maxParamsPerRequest: env.MOODLE_MAX_PARAMS_PER_REQUEST,
          roleIds: env.MOODLE_ROLE_IDS,
        },
    linking: linkingOf(env),
    listCacheTtlMs: env.LIST_CACHE_TTL_MS,
    responseCacheTtlMs: env.RESPONSE_CACHE_TTL_MS,
    accounts: { usernameRule: env.MOODLE_USERNAME_RULE, auth: env.MOODLE_AUTH },
    security: {
      auth: {
        apiKeys,
        jwt: jwtConfigured
          ? {
              secret: env.JWT_SECRET,
              jwksUrl: env.JWT_JWKS_URL,
              issuer: env.JWT_ISSUER,
              audience: env.JWT_AUDIENCE,
              scopesClaim: env.JWT_SCOPES_CLAIM,
            }
          : null,
        disabled,
      },
      corsOrigins: (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      graphiql,
      // In production the schema is not advertised, unless GraphiQL is explicitly wanted (it needs it).
      introspection: !production || graphiql,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      maxBodyBytes: env.MAX_BODY_BYTES,
      persistedOperations,
      limits: {
        depth: env.MAX_DEPTH,
        aliases: env.MAX_ALIASES,
        tokens: env.MAX_TOKENS,
        cost: env.MAX_COST,
        upstreamCalls: env.MAX_UPSTREAM_CALLS,
      },
    },
    resilience: {
      retries: env.UPSTREAM_RETRIES,
      queue: env.UPSTREAM_QUEUE,
      clientShare: env.UPSTREAM_CLIENT_SHARE,
      breakerThreshold: env.BREAKER_THRESHOLD,
      breakerHalfOpenAfterMs: env.BREAKER_HALF_OPEN_MS,
    },
    metrics: { port: env.METRICS_PORT, token: env.METRICS_TOKEN },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    otelEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    redis: env.REDIS_URL ? { url: env.REDIS_URL } : null,
    jobs: { lockMs: env.SYNC_JOB_LOCK_MS },
    simulators: {
      scodocPort: env.SCODOC_SIM_PORT,
      moodlePort: env.MOODLE_SIM_PORT,
      seed: env.DEMO_SEED,
      students: env.DEMO_STUDENTS,
    },
  };
}

/**
 * The server refuses to start open in front of a real upstream: whoever reached it could create and delete
 * accounts. Demo mode (both simulated) stays open so GraphiQL works out of the box.
 */
export function requireServerAuth(config: Config): void {
  const realUpstream = !config.scodoc.simulated || !config.moodle.simulated;
  const { auth } = config.security;
  if (realUpstream && !auth.disabled && auth.apiKeys.length === 0 && !auth.jwt) {
    throw new ConfigError([
      'API_KEYS / JWT_SECRET / JWT_JWKS_URL: a real upstream is configured, so clients must authenticate; configure keys or JWT, or set AUTH_DISABLED=true explicitly',
    ]);
  }
}

/** Every configured secret: the logger scrubs each of them from every line. */
export function secretsOf(config: Config): string[] {
  return [
    config.scodoc.simulated ? undefined : config.scodoc.password,
    config.moodle.simulated ? undefined : config.moodle.token,
    config.security.auth.jwt?.secret,
    config.logPseudonymKey,
    config.metrics.token,
    ...config.security.auth.apiKeys.map((k) => k.key),
    ...redisSecrets(config.redis),
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
