import { z } from 'zod';
import { UpstreamError, retryAfterMs } from '../errors';
import {
  HttpCore,
  NOT_JSON,
  badReply,
  parseJson,
  type HttpCoreOptions,
  type HttpReply,
} from '../http';
import type { MoodleConfig } from './config';
import { MoodleError, type MoodleWarning } from './errors';
import { encodeForm, toBody, type FormValue } from './form';

export interface CallResult<T> {
  data: T;
  /** Moodle's per-item warnings (`{item, itemid, warningcode, message}`), when the reply had any. */
  warnings: MoodleWarning[];
}

/** One web-service call: what the typed functions of the client are written against. */
export interface MoodleTransport {
  call<T>(
    wsfunction: string,
    params: Record<string, FormValue>,
    schema: z.ZodType<T>,
  ): Promise<CallResult<T>>;
  breakerState(): ReturnType<HttpCore['breakerState']>;
  close(): Promise<void>;
}

/** Functions that only read: retried on outages and deduplicated while in flight. */
const isRead = (wsfunction: string) =>
  /^core_\w+_get_|^core_webservice_get_site_info$/.test(wsfunction);
/** Writes that are idempotent by construction in Moodle: safe to retry. */
const IDEMPOTENT_WRITES = new Set([
  'enrol_manual_enrol_users',
  'enrol_manual_unenrol_users',
  // Recorded as idempotent (shared/fixtures/moodle-2026-12 README: re-adding, removing a non-member,
  // assigning again, deleting an unknown id all answer null).
  'core_group_add_group_members',
  'core_group_delete_group_members',
  'core_group_assign_grouping',
  'core_group_delete_groups',
  'core_group_delete_groupings',
  // Renaming to the name it has answers null (test/fixtures/moodle-live-2026-12-01, …ok-same-name).
  'core_group_update_groups',
]);
/**
 * Reads of a whole course, whose time grows with its enrolments. Measured on a Moodle 5.0.6:
 * core_enrol_get_enrolled_users takes 6.6 s at 4,093 enrolled users and 10.2 s at 15,243, past the
 * default 10 s timeout, so the sync (which reads each course's enrolments twice) could not plan a course
 * that big. A fixed longer timeout rather than one scaled by the course size: the size is not known before
 * the call (Moodle has no cheap count of a course's enrolments), and learning it would cost a call per
 * course. 60 s by default covers about ten times the biggest course measured (~0.3 ms per user).
 */
const SLOW_READS = new Set(['core_enrol_get_enrolled_users']);
const DEFAULT_SLOW_TIMEOUT_MS = 60_000;

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
 * The Moodle web-service protocol: form-encoded POSTs to server.php. It tells an exception from a success
 * (Moodle answers both with HTTP 200), accepts the literal `null` that several functions return, validates
 * every reply, and never lets the token or debuginfo into a message.
 */
export class HttpMoodleTransport implements MoodleTransport {
  private readonly http: HttpCore;
  private readonly path: string;
  private readonly slowTimeoutMs: number;

  constructor(
    private readonly config: Pick<
      MoodleConfig,
      'url' | 'token' | 'timeoutMs' | 'slowTimeoutMs' | 'connections' | 'maxParamsPerRequest'
    >,
    opts: HttpCoreOptions = {},
  ) {
    // Everything but a 200 is a failed call: maintenance mode and closed proxies answer 403 or 503.
    this.http = new HttpCore('moodle', config, { ...opts, failedStatus: (s) => s !== 200 });
    this.path = `${this.http.basePath}/webservice/rest/server.php`;
    this.slowTimeoutMs = Math.max(
      config.timeoutMs,
      config.slowTimeoutMs ?? DEFAULT_SLOW_TIMEOUT_MS,
    );
  }

  breakerState() {
    return this.http.breakerState();
  }

  close(): Promise<void> {
    return this.http.close();
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
    const timeoutMs = SLOW_READS.has(wsfunction) ? this.slowTimeoutMs : this.config.timeoutMs;
    const request = {
      method: 'POST' as const,
      path: this.path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      timeoutMs,
    };
    const attempt = async (signal: AbortSignal) =>
      interpret(wsfunction, await this.http.send(wsfunction, request, signal), schema);
    const opts = { timeoutMs, label: wsfunction };
    if (isRead(wsfunction)) return this.http.read(body, attempt, opts);
    return this.http.write(attempt, IDEMPOTENT_WRITES.has(wsfunction), opts);
  }
}

function interpret<T>(wsfunction: string, res: HttpReply, schema: z.ZodType<T>): CallResult<T> {
  const unavailable = (why: string) =>
    new UpstreamError({
      system: 'moodle',
      code: 'UNAVAILABLE',
      status: res.status,
      message: `Moodle ${wsfunction}: Moodle unavailable (${why})`,
      retryAfterMs: retryAfterMs(res.retryAfter),
    });
  if (res.status !== 200) throw unavailable(`HTTP ${res.status}`);
  const json = parseJson(res.text);
  if (json === NOT_JSON) throw unavailable('the reply is not JSON');
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
  if (!parsed.success) throw badReply('moodle', wsfunction, res.status, parsed.error);
  const warnings =
    json && typeof json === 'object' && 'warnings' in json
      ? warningsSchema.safeParse(json.warnings)
      : null;
  return { data: parsed.data, warnings: warnings?.success ? warnings.data : [] };
}
