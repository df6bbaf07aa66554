import { Pool, errors as undiciErrors } from 'undici';
import { z } from 'zod';
import type { MoodleConfig } from '../../config';
import { UpstreamError } from '../errors';
import { MoodleError, type MoodleWarning } from './errors';
import { encodeForm, toBody, type FormValue } from './form';
import { MoodleFunctions } from './functions';

export type MoodleClientConfig = Pick<MoodleConfig, 'url' | 'token' | 'timeoutMs' | 'connections' | 'maxParamsPerRequest'>;

export interface MoodleClientOptions {
  /** Role ids by shortname, for sites where discovery is not possible (see functions.ts). */
  roleIds?: Record<string, number>;
}

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

const warningsSchema = z.array(z.looseObject({ item: z.string().optional(), itemid: z.number().optional(), warningcode: z.string(), message: z.string() }));

/**
 * The Moodle web-service transport: form-encoded POSTs to server.php through one undici pool. It tells an
 * exception from a success (Moodle answers both with HTTP 200), accepts the literal `null` that several
 * functions return, validates every reply, and never lets the token or debuginfo into a message.
 */
export class MoodleClient extends MoodleFunctions {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    private readonly config: MoodleClientConfig,
    opts: MoodleClientOptions = {},
  ) {
    super(config.maxParamsPerRequest, opts.roleIds ?? {});
    const url = new URL(config.url);
    this.path = `${url.pathname.replace(/\/+$/, '')}/webservice/rest/server.php`;
    this.pool = new Pool(url.origin, { connections: config.connections, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  }

  async call<T>(wsfunction: string, params: Record<string, FormValue>, schema: z.ZodType<T>): Promise<CallResult<T>> {
    const fields: Array<[string, string]> = [['wstoken', this.config.token], ['wsfunction', wsfunction], ['moodlewsrestformat', 'json'], ...encodeForm(params)];
    if (fields.length > this.config.maxParamsPerRequest) {
      // A bug in a caller, not a Moodle failure: past max_input_vars Moodle would silently drop fields.
      throw new RangeError(`Moodle ${wsfunction}: ${fields.length} form values exceed the budget of ${this.config.maxParamsPerRequest}; chunk the batch`);
    }
    const res = await this.post(wsfunction, toBody(fields));
    return this.interpret(wsfunction, res, schema);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async post(wsfunction: string, body: string) {
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      const e = err as Error;
      const timedOut =
        err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || e.name === 'TimeoutError' || e.name === 'AbortError';
      throw new UpstreamError({
        system: 'moodle',
        code: timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
        message: `Moodle ${wsfunction}: ${timedOut ? `no answer within ${this.config.timeoutMs} ms` : 'Moodle unavailable (cannot be reached)'}`,
        detail: (err as { code?: string }).code ?? e.name,
      });
    }
  }

  private interpret<T>(wsfunction: string, res: { status: number; text: string }, schema: z.ZodType<T>): CallResult<T> {
    if (res.status !== 200) {
      // 403 and 503 are what a Moodle in maintenance mode or behind a closed proxy answers.
      throw new UpstreamError({
        system: 'moodle',
        code: 'UNAVAILABLE',
        status: res.status,
        message: `Moodle ${wsfunction}: Moodle unavailable (HTTP ${res.status})`,
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
    const warnings = json && typeof json === 'object' && 'warnings' in json ? warningsSchema.safeParse((json as { warnings: unknown }).warnings) : null;
    return { data: parsed.data, warnings: warnings?.success ? warnings.data : [] };
  }
}

export function createMoodleClient(config: MoodleClientConfig, opts?: MoodleClientOptions): MoodleClient {
  return new MoodleClient(config, opts);
}
