import { z } from 'zod';

/** Live data and test data never mix: every key, row and record carries one of these. */
export const Mode = z.enum(['live', 'test']);
export type Mode = z.infer<typeof Mode>;

/** Opaque cuid-style identifier, as in the public API (`cm5x9z8nv0000h85r7l9p2k1m`). */
export const ResourceId = z.string().regex(/^[a-z][a-z0-9]{24}$/, 'must be an Afternoon id');
export type ResourceId = z.infer<typeof ResourceId>;

/**
 * Text that names or identifies something: refused when empty or only whitespace (`"   "`), and otherwise kept as
 * sent (add `.trim()` where surrounding spaces should go).
 */
export const NonBlankString = z.string().regex(/\S/, 'must not be blank');

export const Metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 keys');
export type Metadata = z.infer<typeof Metadata>;

export const ErrorCode = z.enum([
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_ALLOWED',
  'UNAUTHORIZED',
  'INVALID_API_KEY',
  'API_KEY_REVOKED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_STATE',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'CONCURRENCY_CONFLICT',
  'RATE_LIMITED',
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
  limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Items per page (1–100)' }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .meta({ description: "The previous page's `pagination.next_cursor`; the first page without it" }),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const Pagination = z.object({
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});
export type Pagination = z.infer<typeof Pagination>;

/** Where a value holds something Postgres cannot store, and what: `path` as zod writes issue paths. */
export interface UnstorableValue {
  path: (string | number)[];
  message: string;
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (loneSurrogate.test(text)) return 'contains a lone UTF-16 surrogate, which cannot be stored';
  return undefined;
}

interface PathNode {
  parent: PathNode | undefined;
  key: string | number;
}

function pathOf(node: PathNode | undefined): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at = node; at; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * Every place in a parsed JSON value that Postgres refuses in text or jsonb: a NUL character or a lone UTF-16
 * surrogate in a string or an object key, and a number `JSON.parse` made infinite (`1e400`). Walks without
 * recursion, so no nesting depth overflows the stack.
 */
export function unstorableValues(value: unknown): UnstorableValue[] {
  const found: UnstorableValue[] = [];
  const pending: { value: unknown; at: PathNode | undefined }[] = [{ value, at: undefined }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: current, at } = next;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) found.push({ path: pathOf(at), message: problem });
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) found.push({ path: pathOf(at), message: 'is a number too large to store' });
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        pending.push({ value: current[index], at: { parent: at, key: index } });
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index] as [string, unknown];
        const keyProblem = textProblem(key);
        if (keyProblem) found.push({ path: pathOf({ parent: at, key }), message: `field name ${keyProblem}` });
        else pending.push({ value: child, at: { parent: at, key } });
      }
    }
  }
  return found;
}

/** Any JSON value that Postgres can store as it is; see `unstorableValues`. */
export const StorableJson = z.unknown().superRefine((value, context) => {
  for (const { path, message } of unstorableValues(value))
    context.addIssue({ code: 'custom', path, message, input: value });
});
