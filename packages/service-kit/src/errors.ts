import type { ApiError, ErrorCode } from '@afternoon/contracts/common';

/** A refusal decided by domain code; the gateway turns its code into an HTTP status in one place. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toApiError(): ApiError {
    return this.param === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, param: this.param };
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, param?: string) {
    super('VALIDATION_ERROR', message, param);
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
