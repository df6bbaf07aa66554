import { Pool, errors as undiciErrors } from 'undici';
import { z } from 'zod';
import type { MoodleConfig } from '../../config';
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
import { MoodleError, type MoodleWarning } from './errors';
import { encodeForm, toBody, type FormValue } from './form';
import { MoodleFunctions } from './functions';

export type MoodleClientConfig = Pick<
  MoodleConfig,
  'url' | 'token' | 'timeoutMs' | 'connections' | 'maxParamsPerRequest'
>;

export interface MoodleClientOptions {
  /** Role ids by shortname, for sites where discovery is not possible (see functions.ts). */
  roleIds?: Record<string, number>;
  metrics?: Metrics;
  /** Retries, breaker and queue settings; the timeout and pool size come from the config. */
  resilience?: Partial<ResilienceOptions>;
}

/** Functions that only read: retried on outages and deduplicated while in flight. */
const isRead = (wsfunction: string) =>
  /^core_\w+_get_|^core_webservice_get_site_info$/.test(wsfunction);
/** Writes that are idempotent by construction in Moodle: safe to retry. */
const IDEMPOTENT_WRITES = new Set(['enrol_manual_enrol_users', 'enrol_manual_unenrol_users']);

export interface CallResult<T> {
  data: T;
  /** Moodle's per-item warnings (`{item, itemid, warningcode, message}`), when the reply had any. */
  warnings: MoodleWarning[];
}

const exceptionSchema = z.looseObject({
  exception: z.string(),
  errorcode: z.string().optional(),
  message: z.string().optional(),
  debuginfo: z.string().optional(),
});

const warningsSchema = z.array(
  z.looseObject({
    item: z.string().optional(),
    itemid: z.number().optional(),
    warningcode: z.string(),
    message: z.string(),
  }),
);

/**
 * The Moodle web-service transport: form-encoded POSTs to server.php through one undici pool. It tells an
 * exception from a success (Moodle answers both with HTTP 200), accepts the literal `null` that several
 * functions return, validates every reply, and never lets the token or debuginfo into a message.
 */
export class MoodleClient extends MoodleFunctions {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly policy: UpstreamPolicy;
  private readonly metrics: Metrics | undefined;

  constructor(
    private readonly config: MoodleClientConfig,
    opts: MoodleClientOptions = {},
  ) {
    super(config.maxParamsPerRequest, opts.roleIds ?? {});
    const url = new URL(config.url);
    this.path = `${url.pathname.replace(/\/+$/, '')}/webservice/rest/server.php`;
    this.pool = new Pool(url.origin, {
      connections: config.connections,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    this.metrics = opts.metrics;
    this.policy = createUpstreamPolicy(
      'moodle',
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

  async call<T>(
    wsfunction: string,
    params: Record<string, FormValue>,
    schema: z.ZodType<T>,
  ): Promise<CallResult<T>> {
    const fields: Array<[string, string]> = [
      ['wstoken', this.config.token],
      ['wsfunction', wsfunction],
      ['moodlewsrestformat', 'json'],
      ...encodeForm(params),
    ];
    if (fields.length > this.config.maxParamsPerRequest) {
      // A bug in a caller, not a Moodle failure: past max_input_vars Moodle would silently drop fields.
      throw new RangeError(
        `Moodle ${wsfunction}: ${fields.length} form values exceed the budget of ${this.config.maxParamsPerRequest}; chunk the batch`,
      );
    }
    const body = toBody(fields);
    const attempt = async (signal: AbortSignal) =>
      this.interpret(wsfunction, await this.post(wsfunction, body, signal), schema);
    if (isRead(wsfunction)) return this.policy.read(body, attempt);
    return this.policy.write(attempt, { idempotent: IDEMPOTENT_WRITES.has(wsfunction) });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async post(wsfunction: string, body: string, signal: AbortSignal) {
    const started = performance.now();
    const requestId = currentRequestId();
    try {
      return await inSpan(
        `moodle ${wsfunction}`,
        { 'upstream.system': 'moodle', 'upstream.function': wsfunction },
        async () => {
          const res = await this.pool.request({
            method: 'POST',
            path: this.path,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              accept: 'application/json',
              ...(requestId ? { 'x-request-id': requestId } : {}),
            },
            body,
            signal,
          });
          const text = await res.body.text();
          this.observe(wsfunction, started, res.statusCode === 200 ? 'ok' : 'error');
          return { status: res.statusCode, text, retryAfter: res.headers['retry-after'] };
        },
      );
    } catch (err) {
      this.observe(wsfunction, started, 'unreachable');
      const e = err as Error;
      const timedOut =
        err instanceof undiciErrors.HeadersTimeoutError ||
        err instanceof undiciErrors.BodyTimeoutError ||
        e.name === 'TimeoutError' ||
        e.name === 'AbortError';
      throw new UpstreamError({
        system: 'moodle',
        code: timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
        message: `Moodle ${wsfunction}: ${timedOut ? `no answer within ${this.config.timeoutMs} ms` : 'Moodle unavailable (cannot be reached)'}`,
        detail: (err as { code?: string }).code ?? e.name,
      });
    }
  }

  private observe(wsfunction: string, started: number, outcome: string) {
    this.metrics?.upstreamCalls.inc({ system: 'moodle', function: wsfunction, outcome });
    this.metrics?.upstreamDuration.observe(
      { system: 'moodle', function: wsfunction },
      (performance.now() - started) / 1000,
    );
  }

  private interpret<T>(
    wsfunction: string,
    res: { status: number; text: string; retryAfter?: string | string[] },
    schema: z.ZodType<T>,
  ): CallResult<T> {
    if (res.status !== 200) {
      // 403 and 503 are what a Moodle in maintenance mode or behind a closed proxy answers.
      throw new UpstreamError({
        system: 'moodle',
        code: 'UNAVAILABLE',
        status: res.status,
        message: `Moodle ${wsfunction}: Moodle unavailable (HTTP ${res.status})`,
        retryAfterMs: retryAfterMs(res.retryAfter),
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new UpstreamError({
        system: 'moodle',
        code: 'UNAVAILABLE',
        status: res.status,
        message: `Moodle ${wsfunction}: Moodle unavailable (the reply is not JSON)`,
      });
    }
    const exception = exceptionSchema.safeParse(json);
    if (exception.success && json !== null && typeof json === 'object' && !Array.isArray(json)) {
      throw new MoodleError({
        wsfunction,
        exception: exception.data.exception,
        errorcode: exception.data.errorcode,
        // The message is localised text for people; code decides on errorcode only.
        message: exception.data.message ?? exception.data.exception,
        debuginfo: exception.data.debuginfo,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new UpstreamError({
        system: 'moodle',
        code: 'BAD_REPLY',
        status: res.status,
        message: `Moodle ${wsfunction}: the reply does not have the expected shape`,
        detail: parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      });
    }
    const warnings =
      json && typeof json === 'object' && 'warnings' in json
        ? warningsSchema.safeParse((json as { warnings: unknown }).warnings)
        : null;
    return { data: parsed.data, warnings: warnings?.success ? warnings.data : [] };
  }
}

export function createMoodleClient(
  config: MoodleClientConfig,
  opts?: MoodleClientOptions,
): MoodleClient {
  return new MoodleClient(config, opts);
}
