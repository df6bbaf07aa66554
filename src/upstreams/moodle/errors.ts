import { UpstreamError, type UpstreamErrorCode } from '../errors';
import { explainRefusal, parameterProblem, type ParameterProblem } from './diagnosis';

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
  readonly wsfunction: string;
  /** The parameter an `invalidparameter` refusal points at (from the safe part of debuginfo). */
  readonly parameter: ParameterProblem | null;
  /** What to change, when the refusal depends on the site's setup (see diagnosis.ts). */
  readonly hint: string | undefined;

  constructor(init: {
    wsfunction: string;
    exception: string;
    errorcode?: string;
    message: string;
    debuginfo?: string;
  }) {
    const parameter =
      init.errorcode === 'invalidparameter' ? parameterProblem(init.debuginfo) : null;
    const hint = explainRefusal(init.wsfunction, init.errorcode, init.message, parameter);
    super({
      system: 'moodle',
      code: codeFor(init.errorcode, init.exception),
      status: 200,
      upstreamCode: init.errorcode ?? init.exception,
      message: `Moodle ${init.wsfunction}: ${init.message}${hint ? ` (${hint})` : ''}`,
      detail: init.debuginfo,
    });
    this.name = 'MoodleError';
    this.exception = init.exception;
    this.wsfunction = init.wsfunction;
    this.parameter = parameter;
    this.hint = hint;
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
