import { z } from 'zod';

/** Live data and test data never mix: every key, row and record carries one of these. */
export const Mode = z.enum(['live', 'test']);
export type Mode = z.infer<typeof Mode>;

/** Opaque cuid-style identifier, as in the public API (`cm5x9z8nv0000h85r7l9p2k1m`). */
export const ResourceId = z.string().regex(/^[a-z][a-z0-9]{24}$/, 'must be an Afternoon id');
export type ResourceId = z.infer<typeof ResourceId>;

export const Metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 keys');
export type Metadata = z.infer<typeof Metadata>;

export const ErrorCode = z.enum([
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHORIZED',
  'INVALID_API_KEY',
  'API_KEY_REVOKED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_STATE',
  'IDEMPOTENCY_KEY_REUSED',
  'CONCURRENCY_CONFLICT',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const FieldProblem = z.object({ param: z.string(), message: z.string() });
export type FieldProblem = z.infer<typeof FieldProblem>;

/** `param` names the first bad field; `details` lists every one when a request has several problems. */
export const ApiError = z.object({
  code: ErrorCode,
  message: z.string(),
  param: z.string().optional(),
  details: z.array(FieldProblem).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export const ErrorResponse = z.object({
  success: z.literal(false),
  error: ApiError,
  request_id: z.string(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const Pagination = z.object({
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});
export type Pagination = z.infer<typeof Pagination>;
