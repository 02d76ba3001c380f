import type { ApiError, ErrorCode, FieldProblem } from '@afternoon/contracts/common';

const statusOf: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_API_KEY: 401,
  API_KEY_REVOKED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INVALID_STATE: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  CONCURRENCY_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** The one place an error code becomes an HTTP status. */
export function httpStatusOf(code: ErrorCode): number {
  return statusOf[code];
}

/** An error the gateway answers with as it is: `{success: false, error, request_id}`. */
export class ApiHttpError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiHttpError';
  }

  get status(): number {
    return httpStatusOf(this.error.code);
  }

  static of(code: ErrorCode, message: string, param?: string): ApiHttpError {
    return new ApiHttpError(param === undefined ? { code, message } : { code, message, param });
  }

  static validation(problems: FieldProblem[]): ApiHttpError {
    const [first] = problems;
    return new ApiHttpError({
      code: 'VALIDATION_ERROR',
      message: problems.map((problem) => `${problem.param || 'body'}: ${problem.message}`).join('; '),
      ...(first?.param ? { param: first.param } : {}),
      details: problems,
    });
  }
}
