import type { z } from 'zod';
import { UpstreamError, retryAfterMs } from '../errors';
import {
  HttpCore,
  NOT_JSON,
  badReply,
  parseJson,
  type HttpCoreOptions,
  type HttpReply,
} from '../http';
import type { ScodocConfig } from './config';
import { errorBodySchema, tokenSchema } from './types';

export interface ScodocSessionOptions extends HttpCoreOptions {
  /** Clock in ms, injectable so tests can make a token expire. */
  now?: () => number;
  /** ScoDoc tokens live one hour; the reply does not say so, the server configuration does. */
  tokenTtlSeconds?: number;
  /**
   * Renew this long before expiry, so a token never dies between our check and ScoDoc's. Under 60 s: ScoDoc
   * hands back the same token until then, so an earlier renewal gains nothing.
   */
  renewBeforeSeconds?: number;
}

export interface ScodocCall<T> {
  method: 'GET' | 'POST';
  /** Route template, used in messages and metrics: `/etudiant/nip/<nip>`. Never the full URL. */
  template: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
}

type Label = Pick<ScodocCall<unknown>, 'method' | 'template'>;

/** `upstreamCode` of a call to a route this ScoDoc does not have. */
export const ROUTE_NOT_SUPPORTED = 'route-not-supported';

/**
 * The ScoDoc 9 API protocol: JSON over HTTP with a bearer token. One token is shared by all callers,
 * renewed before it expires, and re-requested once when ScoDoc answers 401 anyway (restart, revocation,
 * clock skew). GETs are reads (retried, deduplicated); POSTs are writes (never retried).
 */
export class ScodocSession {
  private readonly http: HttpCore;
  private readonly apiPrefix: string;
  private readonly now: () => number;
  private readonly tokenTtlMs: number;
  private readonly renewBeforeMs: number;
  private token: { value: string; expiresAt: number } | null = null;
  /** The last token received, kept across a 401 reset to recognise it when ScoDoc hands it back. */
  private lastToken: { value: string; expiresAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;

  constructor(
    private readonly config: Pick<
      ScodocConfig,
      'url' | 'username' | 'password' | 'dept' | 'timeoutMs' | 'connections'
    >,
    opts: ScodocSessionOptions = {},
  ) {
    // A 4xx is an answer (not found, refused); only 5xx count as failed calls.
    this.http = new HttpCore('scodoc', config, { ...opts, failedStatus: (s) => s >= 500 });
    const base = this.http.basePath;
    this.apiPrefix = config.dept ? `${base}/${encodeURIComponent(config.dept)}/api` : `${base}/api`;
    this.now = opts.now ?? Date.now;
    this.tokenTtlMs = (opts.tokenTtlSeconds ?? 3600) * 1000;
    this.renewBeforeMs = (opts.renewBeforeSeconds ?? 30) * 1000;
  }

  breakerState() {
    return this.http.breakerState();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  request<T>(call: ScodocCall<T>): Promise<T> {
    const attempt = (signal: AbortSignal) => this.attempt(call, signal);
    if (call.method === 'GET')
      return this.http.read(`${call.path}${toSearch(call.query)}`, attempt);
    return this.http.write(attempt);
  }

  private async attempt<T>(call: ScodocCall<T>, signal: AbortSignal): Promise<T> {
    let res = await this.send(call, await this.currentToken(), signal);
    if (res.status === 401) {
      // The token died early (ScoDoc restarted, or revoked it): one fresh token, one retry.
      this.token = null;
      res = await this.send(call, await this.currentToken(), signal);
      if (res.status === 401)
        throw fail(
          call,
          'UNAUTHORIZED',
          401,
          'ScoDoc refused the gateway token twice (check the account)',
        );
    }
    return parse(call, res);
  }

  private send(call: ScodocCall<unknown>, token: string, signal: AbortSignal) {
    return this.http.send(
      `${call.method} ${call.template}`,
      {
        method: call.method,
        path: `${this.apiPrefix}${call.path}${toSearch(call.query)}`,
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
      },
      signal,
    );
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
    const res = await this.http.send(
      'POST /tokens',
      {
        method: 'POST',
        path: `${this.http.basePath}/api/tokens`,
        headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
      },
      AbortSignal.timeout(this.config.timeoutMs),
    );
    if (res.status === 401 || res.status === 403)
      throw fail(
        call,
        'UNAUTHORIZED',
        res.status,
        'ScoDoc refused the gateway credentials (SCODOC_USERNAME / SCODOC_PASSWORD)',
      );
    const { token } = parse({ ...call, path: '/tokens', schema: tokenSchema }, res);
    // ScoDoc hands back the token it already issued while more than 60 s of it remain (scodoc-evidence.md):
    // the same token keeps the expiry it had, or an early renewal would believe it got an hour more.
    const held = this.lastToken?.value === token ? this.lastToken : null;
    this.token = held ?? { value: token, expiresAt: issuedAt + this.tokenTtlMs };
    this.lastToken = this.token;
    return token;
  }
}

/** ScoDoc's reply to a call: 5xx and 429 are outages, 4xx refusals with ScoDoc's error body, 2xx data. */
function parse<T>(call: ScodocCall<T>, res: HttpReply): T {
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
  // Flask answers an unknown URL with its own HTML page: that is a route this ScoDoc does not have (renamed
  // between versions), not a missing object (scodoc-evidence.md; the HTML body itself is unverified).
  if (res.status === 404 && json === NOT_JSON)
    throw fail(call, 'REJECTED', 404, 'route not supported by this ScoDoc', ROUTE_NOT_SUPPORTED);
  if (res.status >= 400) {
    const body = errorBodySchema.safeParse(json);
    const said = body.success ? (body.data.message ?? body.data.error) : undefined;
    const code = res.status === 404 ? 'NOT_FOUND' : res.status === 403 ? 'FORBIDDEN' : 'REJECTED';
    const what = said ? `HTTP ${res.status}: ${clip(said)}` : `HTTP ${res.status}`;
    throw fail(call, code, res.status, what, body.success ? body.data.error : undefined);
  }
  if (json === NOT_JSON)
    throw fail(call, 'UNAVAILABLE', res.status, 'answered with a body that is not JSON');
  const parsed = call.schema.safeParse(json);
  if (!parsed.success)
    throw badReply('scodoc', `${call.method} ${call.template}`, res.status, parsed.error);
  return parsed.data;
}

function fail(
  call: Label,
  code: UpstreamError['code'],
  status: number | undefined,
  what: string,
  upstreamCode?: string,
) {
  return new UpstreamError({
    system: 'scodoc',
    code,
    status,
    upstreamCode,
    message: `ScoDoc ${call.method} ${call.template}: ${what}`,
  });
}

function toSearch(query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
