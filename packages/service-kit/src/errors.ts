import type { ApiError, ErrorCode, FieldProblem } from '@afternoon/contracts/common';

/** A refusal decided by domain code; the gateway turns its code into an HTTP status in one place. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    readonly details?: readonly FieldProblem[],
  ) {
    super(message);
    this.name = new.target.name;
  }

  toApiError(): ApiError {
    return {
      code: this.code,
      message: this.message,
      ...(this.param === undefined ? {} : { param: this.param }),
      ...(this.details === undefined ? {} : { details: [...this.details] }),
    };
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, param?: string, details?: readonly FieldProblem[]) {
    super('VALIDATION_ERROR', message, param, details);
  }

  /** Every problem of a request at once, as the gateway's own validation reports them: the first one in `param`. */
  static of(problems: readonly FieldProblem[]): ValidationError {
    const message = problems.map((problem) => `${problem.param || 'body'}: ${problem.message}`).join('; ');
    return new ValidationError(message, problems[0]?.param || undefined, problems);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, param?: string) {
    super('NOT_FOUND', message, param);
  }
}

export class IllegalStateError extends DomainError {
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}

/** A caller that may not do this at all, whatever the resource: e.g. a live key asking for a test clock. */
export class ForbiddenError extends DomainError {
  constructor(message: string, param?: string) {
    super('FORBIDDEN', message, param);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, param?: string) {
    super('CONFLICT', message, param);
  }
}

/** Another writer appended to the stream first; the command is retried against the new state. */
export class ConcurrencyError extends Error {
  constructor(streamId: string, expectedVersion: number) {
    super(`stream ${streamId} moved past version ${expectedVersion}`);
    this.name = 'ConcurrencyError';
  }
}

/** A record that can never be handled (bad shape); it goes to the dead-letter topic, not into retries. */
export class PoisonRecordError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonRecordError';
  }
}
