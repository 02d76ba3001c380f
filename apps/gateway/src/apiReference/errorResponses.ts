import { ErrorCode, ErrorResponse } from '@afternoon/contracts/common';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { httpStatusOf } from '../http/apiError';
import { rateLimitHeaders, requestIdHeader } from './responseHeaders';

/** The error answers' component names, by status. */
const names: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'RateLimited',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The error codes the gateway answers with a status, read from the one place a code becomes a status. */
export function codesOf(status: number): ErrorCode[] {
  return ErrorCode.options.filter((code) => httpStatusOf(code) === status);
}

/** `{$ref}` to the shared error answer of a status. */
export function errorResponseRef(status: number): { $ref: string } {
  const name = names[status];
  if (!name) throw new Error(`No error answer is described for status ${status}`);
  return { $ref: `#/components/responses/${name}` };
}

/** One shared response per error status: the error envelope, the codes it can carry, and one example each. */
export function errorResponses(): Record<string, ZodOpenApiResponseObject> {
  return Object.fromEntries(
    Object.entries(names).map(([status, name]) => {
      const codes = codesOf(Number(status));
      const response: ZodOpenApiResponseObject = {
        description: `The error envelope; \`error.code\` is ${codes.map((code) => `\`${code}\``).join(', ')}.`,
        headers: Number(status) === 429 ? { ...requestIdHeader, ...rateLimitHeaders, ...retryAfter } : requestIdHeader,
        content: {
          'application/json': {
            schema: ErrorResponse,
            examples: Object.fromEntries(codes.map((code) => [code, { value: exampleOf(code) }])),
          },
        },
      };
      return [name, response];
    }),
  );
}

const retryAfter = {
  'Retry-After': { description: 'Seconds until the window ends', schema: { type: 'integer' as const } },
};

function exampleOf(code: ErrorCode): ErrorResponse {
  const error =
    code === 'VALIDATION_ERROR'
      ? {
          code,
          message: 'name: Invalid input: expected string, received undefined',
          param: 'name',
          details: [{ param: 'name', message: 'Invalid input: expected string, received undefined' }],
        }
      : { code, message: messages[code] ?? code };
  return { success: false, error, request_id: 'req_2kfyrE9bN1qAZsT4mXo8D' };
}

const messages: Partial<Record<ErrorCode, string>> = {
  INVALID_API_KEY: 'Invalid API key',
  NOT_FOUND: 'No such customer',
  RATE_LIMITED: 'Rate limit of 1000 requests per minute exceeded; retry after 12 seconds',
  IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was used with a different request',
};
