import { Pool, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import type { Metrics } from '../observability/metrics';
import { chargeUpstreamCall, currentRequestId } from '../observability/request-context';
import { inSpan } from '../observability/tracing';
import { UpstreamError, type UpstreamSystem } from './errors';
import { withinNamespace, type SharedReads } from './shared-reads';
import {
  DEFAULT_RESILIENCE,
  createUpstreamPolicy,
  type BreakerState,
  type CallOptions,
  type ResilienceOptions,
  type UpstreamPolicy,
} from './resilience';

/**
 * What both upstream clients share below their own protocol: one undici pool, the resilience policy (with
 * each client's fair share of the pool, counted under the request scope's client), a span and metrics per
 * exchange, the request id sent upstream, and the classification of failures that happen before any reply
 * (unreachable, timed out) and of replies that break the contract (bad shape, not JSON).
 * The clients keep only what their protocol says: paths, authentication, how errors are spelled.
 */

export interface HttpEndpoint {
  /** Origin and base path, e.g. https://moodle.example.fr or https://scodoc.example.fr/ScoDoc */
  url: string;
  timeoutMs: number;
  connections: number;
}

export interface HttpCoreOptions {
  metrics?: Metrics;
  /** Retries, breaker, queue and client share settings; the timeout and pool size come from the endpoint. */
  resilience?: Partial<ResilienceOptions>;
  /** Identical reads shared with the other replicas (REDIS_URL); unset = within this process only. */
  sharedReads?: SharedReads;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** This request's timeout, when longer than the endpoint's (the pool's undici timeouts would cut it). */
  timeoutMs?: number;
}

export interface HttpReply {
  status: number;
  contentType: string;
  text: string;
  retryAfter: string | string[] | undefined;
}

const SYSTEM_NAMES: Record<UpstreamSystem, string> = { scodoc: 'ScoDoc', moodle: 'Moodle' };

export class HttpCore {
  readonly basePath: string;
  private readonly pool: Pool;
  private readonly policy: UpstreamPolicy;
  private readonly metrics: Metrics | undefined;

  constructor(
    readonly system: UpstreamSystem,
    private readonly endpoint: HttpEndpoint,
    opts: HttpCoreOptions & {
      /** Which statuses count as a failed call in the metrics (the protocols differ). */
      failedStatus: (status: number) => boolean;
    },
  ) {
    const url = new URL(endpoint.url);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: endpoint.connections,
      headersTimeout: endpoint.timeoutMs,
      bodyTimeout: endpoint.timeoutMs,
    });
    this.metrics = opts.metrics;
    this.failedStatus = opts.failedStatus;
    this.policy = createUpstreamPolicy(
      system,
      {
        ...DEFAULT_RESILIENCE,
        timeoutMs: endpoint.timeoutMs,
        maxConcurrent: endpoint.connections,
        ...opts.resilience,
      },
      opts.metrics,
      // Namespaced by system and URL: two gateways sharing one Redis may front different upstreams.
      opts.sharedReads && withinNamespace(opts.sharedReads, `${system} ${endpoint.url}`),
    );
  }

  private readonly failedStatus: (status: number) => boolean;

  /** A read: retried on outages and shared with an identical read in flight (same key). */
  read<T>(
    key: string,
    attempt: (signal: AbortSignal) => Promise<T>,
    opts?: CallOptions,
  ): Promise<T> {
    return this.policy.read(key, attempt, opts);
  }

  /** A write: never retried unless idempotent by construction. */
  write<T>(
    attempt: (signal: AbortSignal) => Promise<T>,
    idempotent = false,
    opts: CallOptions = {},
  ): Promise<T> {
    return this.policy.write(attempt, { ...opts, idempotent });
  }

  breakerState(): BreakerState {
    return this.policy.breakerState();
  }

  /**
   * One HTTP exchange, observed (span, metrics, request id). `label` names the call in spans, metrics and
   * messages (a Moodle function, a ScoDoc route template): never a full URL. A failure before any reply
   * becomes UNAVAILABLE or TIMEOUT.
   */
  async send(label: string, req: HttpRequest, signal: AbortSignal): Promise<HttpReply> {
    if (!chargeUpstreamCall())
      throw new UpstreamError({
        system: this.system,
        code: 'BUDGET',
        message: `${SYSTEM_NAMES[this.system]} ${label}: not sent, this request has used its budget of upstream calls (MAX_UPSTREAM_CALLS)`,
      });
    const started = performance.now();
    const requestId = currentRequestId();
    const attributes = { 'upstream.system': this.system, 'upstream.function': label };
    const { timeoutMs = this.endpoint.timeoutMs, ...request } = req;
    try {
      return await inSpan(`${this.system} ${label}`, attributes, async () => {
        const res = await this.pool.request({
          ...request,
          headers: requestId ? { ...req.headers, 'x-request-id': requestId } : req.headers,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal,
        });
        const text = await res.body.text();
        this.observe(label, started, this.failedStatus(res.statusCode) ? 'error' : 'ok');
        return {
          status: res.statusCode,
          contentType: String(res.headers['content-type'] ?? ''),
          text,
          retryAfter: res.headers['retry-after'],
        };
      });
    } catch (err) {
      this.observe(label, started, 'unreachable');
      const timedOut = isTimeout(err);
      throw new UpstreamError({
        system: this.system,
        code: timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
        message: `${SYSTEM_NAMES[this.system]} ${label}: ${timedOut ? `no answer within ${timeoutMs} ms` : 'cannot be reached'}`,
        // Network errors can carry the socket address: keep the kind of failure, not the details.
        detail: (err as { code?: string }).code ?? (err as Error).name,
        cause: safeCause(err),
      });
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private observe(label: string, started: number, outcome: string) {
    this.metrics?.upstreamCalls.inc({ system: this.system, function: label, outcome });
    this.metrics?.upstreamDuration.observe(
      { system: this.system, function: label },
      (performance.now() - started) / 1000,
    );
  }
}

/** A reply that is not what the contract says: an outage of the contract, with the zod issues for logs. */
export function badReply(
  system: UpstreamSystem,
  label: string,
  status: number,
  error: z.ZodError,
): UpstreamError {
  return new UpstreamError({
    system,
    code: 'BAD_REPLY',
    status,
    message: `${SYSTEM_NAMES[system]} ${label}: the reply does not have the expected shape`,
    detail: error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; '),
  });
}

export const NOT_JSON = Symbol('not json');

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isTimeout(err: unknown): boolean {
  const name = (err as Error).name;
  return (
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError'
  );
}

function safeCause(err: unknown): Error {
  const e = err as Error & { code?: string };
  const safe = new Error(e.code ?? e.name ?? 'network error');
  safe.name = e.name ?? 'Error';
  return safe;
}
