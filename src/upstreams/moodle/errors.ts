import { UpstreamError, type UpstreamErrorCode } from '../errors';

export interface MoodleWarning {
  item?: string;
  itemid?: number;
  warningcode: string;
  message: string;
}

/**
 * A Moodle web-service exception (HTTP 200 with `{exception, errorcode, message, debuginfo?}`). The
 * errorcode is kept for callers (`upstreamCode`); debuginfo (SQL, paths) only reaches logs, via `detail`.
 */
export class MoodleError extends UpstreamError {
  readonly exception: string;

  constructor(init: {
    wsfunction: string;
    exception: string;
    errorcode?: string;
    message: string;
    debuginfo?: string;
    applied?: number;
  }) {
    super({
      system: 'moodle',
      code: codeFor(init.errorcode, init.exception),
      status: 200,
      upstreamCode: init.errorcode ?? init.exception,
      message: `Moodle ${init.wsfunction}: ${init.message}`,
      detail: init.debuginfo,
    });
    this.name = 'MoodleError';
    this.exception = init.exception;
  }
}

const NOT_FOUND_CODES = new Set([
  'invalidrecord',
  'invaliduser',
  'invalidcourseid',
  'unknowncourseidnumber',
]);

function codeFor(errorcode: string | undefined, exception: string): UpstreamErrorCode {
  if (errorcode === 'invalidtoken') return 'UNAUTHORIZED';
  if (
    errorcode === 'accessexception' ||
    errorcode === 'nopermissions' ||
    errorcode === 'requireloginerror'
  )
    return 'FORBIDDEN';
  if (exception === 'dml_missing_record_exception' || (errorcode && NOT_FOUND_CODES.has(errorcode)))
    return 'NOT_FOUND';
  return 'REJECTED';
}

/**
 * An all-or-nothing batch failed in its k-th chunk: the chunks before it were applied. Callers must know,
 * to report exactly what exists now.
 */
export class MoodleBatchError extends UpstreamError {
  constructor(
    readonly failure: UpstreamError,
    /** Items applied by the chunks that succeeded before the failure, in input order. */
    readonly appliedCount: number,
  ) {
    super({
      system: 'moodle',
      code: failure.code,
      status: failure.status,
      upstreamCode: failure.upstreamCode,
      message: failure.message,
      detail: failure.detail,
    });
    this.name = 'MoodleBatchError';
  }
}
