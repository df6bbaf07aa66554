import { Pool, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import type { ScodocConfig } from '../../config';
import type { Metrics } from '../../observability/metrics';
import { currentRequestId } from '../../observability/request-context';
import { inSpan } from '../../observability/tracing';
import { UpstreamError, retryAfterMs } from '../errors';
import {
  DEFAULT_RESILIENCE,
  createUpstreamPolicy,
  type ResilienceOptions,
  type UpstreamPolicy,
} from '../resilience';
import {
  departementSchema,
  errorBodySchema,
  etudiantSchema,
  formsemestreSchema,
  tokenSchema,
  type CreateDepartementInput,
  type CreateEtudiantInput,
  type Departement,
  type Etudiant,
  type EtudiantKey,
  type Formsemestre,
  type FormsemestresQuery,
  type RegistrationEtat,
} from './types';

export type ScodocClientConfig = Pick<
  ScodocConfig,
  'url' | 'username' | 'password' | 'dept' | 'timeoutMs' | 'connections'
>;

export interface ScodocClientOptions {
  metrics?: Metrics;
  /** Retries, breaker and queue settings; the timeout and pool size come from the config. */
  resilience?: Partial<ResilienceOptions>;
  /** Clock in ms, injectable so tests can make a token expire. */
  now?: () => number;
  /** ScoDoc tokens live one hour; the reply does not say so, the server configuration does. */
  tokenTtlSeconds?: number;
  /** Renew this long before expiry, so a token never dies between our check and ScoDoc's. */
  renewBeforeSeconds?: number;
}

type Method = 'GET' | 'POST';

interface Call<T> {
  method: Method;
  /** Route template, used in stats-like messages: `/etudiant/nip/<nip>`. Never the full URL. */
  template: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
}

/**
 * ScoDoc 9 API client. One undici pool per origin; one token shared by all callers, renewed before it
 * expires, and re-requested once when ScoDoc answers 401 anyway (restart, revocation, clock skew).
 */
export class ScodocClient {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly apiPrefix: string;
  private readonly now: () => number;
  private readonly tokenTtlMs: number;
  private readonly renewBeforeMs: number;
  private token: { value: string; expiresAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;
  private readonly policy: UpstreamPolicy;
  private readonly metrics: Metrics | undefined;

  constructor(
    private readonly config: ScodocClientConfig,
    opts: ScodocClientOptions = {},
  ) {
    const url = new URL(config.url);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.apiPrefix = config.dept
      ? `${this.basePath}/${encodeURIComponent(config.dept)}/api`
      : `${this.basePath}/api`;
    this.pool = new Pool(this.origin, {
      connections: config.connections,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    this.now = opts.now ?? Date.now;
    this.tokenTtlMs = (opts.tokenTtlSeconds ?? 3600) * 1000;
    this.renewBeforeMs = (opts.renewBeforeSeconds ?? 300) * 1000;
    this.metrics = opts.metrics;
    this.policy = createUpstreamPolicy(
      'scodoc',
      {
        ...DEFAULT_RESILIENCE,
        timeoutMs: config.timeoutMs,
        maxConcurrent: config.connections,
        ...opts.resilience,
      },
      opts.metrics,
    );
  }

  /** Circuit breaker state, for /ready. */
  breakerState() {
    return this.policy.breakerState();
  }

  // ---------- départements

  departements(): Promise<Departement[]> {
    return this.list('/departements', `/departements`, departementSchema);
  }

  departement(acronym: string): Promise<Departement | null> {
    return this.single('/departement/<acronym>', `/departement/${seg(acronym)}`, departementSchema);
  }

  departementById(id: number): Promise<Departement | null> {
    return this.single('/departement/id/<id>', `/departement/id/${id}`, departementSchema);
  }

  createDepartement(input: CreateDepartementInput): Promise<Departement> {
    return this.request({
      method: 'POST',
      template: '/departement/create',
      path: '/departement/create',
      body: input,
      schema: departementSchema,
    });
  }

  /** ScoDoc deletes the département and everything in it. Its reply body varies by version: ignored. */
  async deleteDepartement(acronym: string): Promise<void> {
    await this.request({
      method: 'POST',
      template: '/departement/<acronym>/delete',
      path: `/departement/${seg(acronym)}/delete`,
      schema: anyJson,
    });
  }

  editDepartement(acronym: string, changes: { visible: boolean }): Promise<Departement> {
    return this.request({
      method: 'POST',
      template: '/departement/<acronym>/edit',
      path: `/departement/${seg(acronym)}/edit`,
      body: changes,
      schema: departementSchema,
    });
  }

  // ---------- étudiants

  /** The singular route: when a NIP/INE exists in several départements ScoDoc picks the latest registered. */
  etudiant(key: EtudiantKey): Promise<Etudiant | null> {
    const { kind, value } = keyOf(key);
    return this.single(
      `/etudiant/${kind}/<${kind}>`,
      `/etudiant/${kind}/${seg(value)}`,
      etudiantSchema,
    );
  }

  /** Every étudiant record with that key (one per département the person went through); [] when none. */
  etudiants(key: EtudiantKey): Promise<Etudiant[]> {
    const { kind, value } = keyOf(key);
    return this.list(
      `/etudiants/${kind}/<${kind}>`,
      `/etudiants/${kind}/${seg(value)}`,
      etudiantSchema,
    );
  }

  /** Every étudiant the département ever had. ScoDoc pages nothing: the reply can be thousands long. */
  departementEtudiants(acronym: string): Promise<Etudiant[]> {
    return this.list(
      '/departement/<acronym>/etudiants',
      `/departement/${seg(acronym)}/etudiants`,
      etudiantSchema,
    );
  }

  etudiantsCourants(opts: { long?: boolean } = {}): Promise<Etudiant[]> {
    const path = opts.long ? '/etudiants/courants/long' : '/etudiants/courants';
    return this.list(path, path, etudiantSchema);
  }

  createEtudiant(input: CreateEtudiantInput): Promise<Etudiant> {
    return this.request({
      method: 'POST',
      template: '/etudiant/create',
      path: '/etudiant/create',
      body: input,
      schema: etudiantSchema,
    });
  }

  // ---------- formsemestres

  formsemestre(id: number): Promise<Formsemestre | null> {
    return this.single('/formsemestre/<id>', `/formsemestre/${id}`, formsemestreSchema);
  }

  /** Conjunction of the criteria; [] when nothing matches. One call for a whole département or year. */
  formsemestresQuery(query: FormsemestresQuery): Promise<Formsemestre[]> {
    return this.list('/formsemestres/query', '/formsemestres/query', formsemestreSchema, {
      ...query,
    });
  }

  formsemestresCourants(acronym: string): Promise<Formsemestre[]> {
    return this.list(
      '/departement/<acronym>/formsemestres_courants',
      `/departement/${seg(acronym)}/formsemestres_courants`,
      formsemestreSchema,
    );
  }

  etudiantFormsemestres(key: EtudiantKey): Promise<Formsemestre[]> {
    const { kind, value } = keyOf(key);
    return this.list(
      `/etudiant/${kind}/<${kind}>/formsemestres`,
      `/etudiant/${kind}/${seg(value)}/formsemestres`,
      formsemestreSchema,
    );
  }

  /** Students of a formsemestre, optionally only those in the given states (I, D, DEF). */
  formsemestreEtudiants(
    id: number,
    opts: { etat?: RegistrationEtat[]; long?: boolean } = {},
  ): Promise<Etudiant[]> {
    const long = opts.long ? '/long' : '';
    if (!opts.etat || opts.etat.length === 0) {
      return this.list(
        `/formsemestre/<id>/etudiants${long}`,
        `/formsemestre/${id}/etudiants${long}`,
        etudiantSchema,
      );
    }
    return this.list(
      `/formsemestre/<id>/etudiants${long}/query`,
      `/formsemestre/${id}/etudiants${long}/query`,
      etudiantSchema,
      { etat: opts.etat.join(',') },
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  // ---------- plumbing

  private list<T>(
    template: string,
    path: string,
    item: z.ZodType<T>,
    query?: Call<T[]>['query'],
  ): Promise<T[]> {
    return this.request({
      method: 'GET',
      template,
      path,
      query,
      schema: item.array() as unknown as z.ZodType<T[]>,
    });
  }

  /** Singular routes answer 404 for "no such object": that is a null, not an error. */
  private async single<T>(template: string, path: string, schema: z.ZodType<T>): Promise<T | null> {
    try {
      return await this.request({ method: 'GET', template, path, schema });
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /** GETs are reads (retried, deduplicated); POSTs are writes (never retried). */
  private request<T>(call: Call<T>): Promise<T> {
    const attempt = (signal: AbortSignal) => this.attempt(call, signal);
    if (call.method === 'GET')
      return this.policy.read(`${call.path}${call.query ? toSearch(call.query) : ''}`, attempt);
    return this.policy.write(attempt);
  }

  private async attempt<T>(call: Call<T>, signal: AbortSignal): Promise<T> {
    let token = await this.currentToken();
    let res = await this.send(call, token, signal);
    if (res.status === 401) {
      // The token died early (ScoDoc restarted, or revoked it): one fresh token, one retry.
      this.token = null;
      token = await this.currentToken();
      res = await this.send(call, token, signal);
      if (res.status === 401)
        throw this.fail(
          call,
          'UNAUTHORIZED',
          401,
          'ScoDoc refused the gateway token twice (check the account)',
        );
    }
    return this.parse(call, res);
  }

  private async send(call: Call<unknown>, token: string, signal: AbortSignal) {
    const search = call.query ? toSearch(call.query) : '';
    return this.http(call, signal, {
      method: call.method,
      path: `${this.apiPrefix}${call.path}${search}`,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body:
        call.body === undefined
          ? call.method === 'POST'
            ? '{}'
            : undefined
          : JSON.stringify(call.body),
    });
  }

  private async http(
    call: Pick<Call<unknown>, 'method' | 'template'>,
    signal: AbortSignal,
    req: { method: Method; path: string; headers: Record<string, string>; body?: string },
  ) {
    const fn = `${call.method} ${call.template}`;
    const started = performance.now();
    const requestId = currentRequestId();
    try {
      return await inSpan(
        `scodoc ${fn}`,
        { 'upstream.system': 'scodoc', 'upstream.function': fn },
        async () => {
          const res = await this.pool.request({
            ...req,
            headers: requestId ? { ...req.headers, 'x-request-id': requestId } : req.headers,
            signal,
          });
          const text = await res.body.text();
          this.observe(fn, started, res.statusCode >= 500 ? 'error' : 'ok');
          return {
            status: res.statusCode,
            contentType: String(res.headers['content-type'] ?? ''),
            text,
            retryAfter: res.headers['retry-after'],
          };
        },
      );
    } catch (err) {
      this.observe(fn, started, 'unreachable');
      const timedOut =
        err instanceof undiciErrors.HeadersTimeoutError ||
        err instanceof undiciErrors.BodyTimeoutError ||
        (err as Error).name === 'TimeoutError' ||
        (err as Error).name === 'AbortError';
      throw this.fail(
        call,
        timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
        undefined,
        timedOut ? `no answer within ${this.config.timeoutMs} ms` : 'cannot be reached',
        err,
      );
    }
  }

  private observe(fn: string, started: number, outcome: string) {
    this.metrics?.upstreamCalls.inc({ system: 'scodoc', function: fn, outcome });
    this.metrics?.upstreamDuration.observe(
      { system: 'scodoc', function: fn },
      (performance.now() - started) / 1000,
    );
  }

  private parse<T>(
    call: Call<T>,
    res: { status: number; contentType: string; text: string; retryAfter?: string | string[] },
  ): T {
    if (res.status >= 500 || res.status === 429) {
      throw new UpstreamError({
        system: 'scodoc',
        code: 'UNAVAILABLE',
        status: res.status,
        message: `ScoDoc ${call.method} ${call.template}: answered HTTP ${res.status}`,
        retryAfterMs: retryAfterMs(res.retryAfter),
      });
    }
    const json = parseJson(res.text);
    if (res.status >= 400) {
      const body = errorBodySchema.safeParse(json);
      const said = body.success ? (body.data.message ?? body.data.error) : undefined;
      const code = res.status === 404 ? 'NOT_FOUND' : res.status === 403 ? 'FORBIDDEN' : 'REJECTED';
      throw this.fail(
        call,
        code,
        res.status,
        said ? `HTTP ${res.status}: ${clip(said)}` : `HTTP ${res.status}`,
        undefined,
        body.success ? body.data.error : undefined,
      );
    }
    if (json === NOT_JSON)
      throw this.fail(call, 'UNAVAILABLE', res.status, 'answered with a body that is not JSON');
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) {
      throw new UpstreamError({
        system: 'scodoc',
        code: 'BAD_REPLY',
        status: res.status,
        message: `ScoDoc ${call.method} ${call.template}: the reply does not have the expected shape`,
        detail: parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      });
    }
    return parsed.data;
  }

  private fail(
    call: Pick<Call<unknown>, 'method' | 'template'>,
    code: UpstreamError['code'],
    status: number | undefined,
    what: string,
    cause?: unknown,
    upstreamCode?: string,
  ) {
    return new UpstreamError({
      system: 'scodoc',
      code,
      status,
      upstreamCode,
      message: `ScoDoc ${call.method} ${call.template}: ${what}`,
      cause: cause === undefined ? undefined : safeCause(cause),
    });
  }

  // ---------- token lifecycle

  private async currentToken(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt - this.renewBeforeMs)
      return this.token.value;
    // Concurrent callers share one token request instead of each logging in.
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = null;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const call = { method: 'POST' as const, template: '/tokens' };
    const basic = Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64');
    const issuedAt = this.now();
    const res = await this.http(call, AbortSignal.timeout(this.config.timeoutMs), {
      method: 'POST',
      path: `${this.basePath}/api/tokens`,
      headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
    });
    if (res.status === 401 || res.status === 403)
      throw this.fail(
        call,
        'UNAUTHORIZED',
        res.status,
        'ScoDoc refused the gateway credentials (SCODOC_USERNAME / SCODOC_PASSWORD)',
      );
    const { token } = this.parse({ ...call, path: '/tokens', schema: tokenSchema }, res);
    this.token = { value: token, expiresAt: issuedAt + this.tokenTtlMs };
    return token;
  }
}

export function createScodocClient(
  config: ScodocClientConfig,
  opts?: ScodocClientOptions,
): ScodocClient {
  return new ScodocClient(config, opts);
}

const NOT_JSON = Symbol('not json');
const anyJson = {
  safeParse: (v: unknown) => ({ success: true as const, data: v }),
} as unknown as z.ZodType<unknown>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function keyOf(key: EtudiantKey): { kind: 'etudid' | 'nip' | 'ine'; value: string } {
  if ('etudid' in key) return { kind: 'etudid', value: String(key.etudid) };
  if ('nip' in key) return { kind: 'nip', value: key.nip };
  return { kind: 'ine', value: key.ine };
}

/** One path segment: user input never adds a segment or a query string. */
function seg(value: string): string {
  return encodeURIComponent(value);
}

function toSearch(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Network errors can carry the socket address; keep the kind of failure, not the details. */
function safeCause(err: unknown): Error {
  const e = err as Error & { code?: string };
  const safe = new Error(e.code ?? e.name ?? 'network error');
  safe.name = e.name ?? 'Error';
  return safe;
}
