/**
 * Expected failures of a write, each a GraphQL type implementing `Error { message code }`. A mutation never
 * throws these to the client: it returns them as members of its result union.
 */
export abstract class WriteError extends Error {
  abstract readonly code: string;
}

export interface FieldProblem {
  /** Path of the offending input field, e.g. ["input", "acronym"] or ["input", "nips", 3]. */
  path: Array<string | number>;
  message: string;
}

export class ValidationError extends WriteError {
  readonly code = 'VALIDATION';
  constructor(readonly fields: FieldProblem[]) {
    super(`Invalid input: ${fields.map((f) => `${f.path.join('.')}: ${f.message}`).join('; ')}`);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends WriteError {
  readonly code = 'NOT_FOUND';
  constructor(
    message: string,
    readonly what: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends WriteError {
  readonly code = 'CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ForbiddenError extends WriteError {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * A write spanning both systems failed half-way and could not be fully undone. It states exactly what exists
 * where, so an operator can finish or clean up by hand.
 */
export class PartialFailureError extends WriteError {
  readonly code = 'PARTIAL_FAILURE';
  constructor(
    message: string,
    /** Steps that took effect and are still in effect. */
    readonly done: string[],
    /** Steps that took effect and were undone. */
    readonly compensated: string[],
    /** Steps that did not happen. */
    readonly notDone: string[],
  ) {
    super(message);
    this.name = 'PartialFailureError';
  }
}
