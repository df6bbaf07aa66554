/**
 * The one error type every upstream client throws. Its message is safe to show a caller: it never holds a
 * credential, a full URL or Moodle's debuginfo. `detail` is for logs only and is kept off JSON output.
 */
export type UpstreamSystem = 'scodoc' | 'moodle';

export type UpstreamErrorCode =
  /** Network failure, timeout, 5xx, 503/403 from Moodle, a non-JSON body: the system cannot answer now. */
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  /** The system answered, but not with what its contract says (schema validation failed). */
  | 'BAD_REPLY'
  /** Singular ScoDoc route answered 404, or Moodle said the record does not exist. */
  | 'NOT_FOUND'
  /** Our credentials were refused (after one re-authentication for ScoDoc). */
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  /** A Moodle exception, or a ScoDoc 4xx with an error body: see `upstreamCode`. */
  | 'REJECTED'
  /** The request has made all the upstream calls it may (MAX_UPSTREAM_CALLS): this one was not sent. */
  | 'BUDGET';

export interface UpstreamErrorInit {
  system: UpstreamSystem;
  code: UpstreamErrorCode;
  message: string;
  status?: number;
  /** The upstream's own error code (Moodle errorcode, ScoDoc error), when it gave one. */
  upstreamCode?: string;
  /** Diagnostic text for logs only (Moodle debuginfo, zod issues). Never sent to clients. */
  detail?: string;
  /** What the upstream asked for in Retry-After (503, 429), in ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class UpstreamError extends Error {
  readonly system: UpstreamSystem;
  readonly code: UpstreamErrorCode;
  readonly status: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  declare readonly detail: string | undefined;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UpstreamError';
    this.system = init.system;
    this.code = init.code;
    this.status = init.status;
    this.upstreamCode = init.upstreamCode;
    this.retryAfterMs = init.retryAfterMs;
    // Non-enumerable: JSON.stringify and most serializers skip it, so it cannot leak by accident.
    Object.defineProperty(this, 'detail', { value: init.detail, enumerable: false });
  }

  toJSON() {
    return {
      name: this.name,
      system: this.system,
      code: this.code,
      status: this.status,
      upstreamCode: this.upstreamCode,
      message: this.message,
    };
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(
  header: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
