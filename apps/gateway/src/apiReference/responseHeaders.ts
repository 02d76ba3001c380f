import type { oas31 } from 'zod-openapi';

type HeaderObject = oas31.HeaderObject;

const integer = { type: 'integer' as const };

/** On every answer: the request's id, also in the body's `request_id`. */
export const requestIdHeader: Record<string, HeaderObject> = {
  'X-Request-Id': { description: 'The request id (`req_…`), as in the body', schema: { type: 'string' } },
};

/** On every authenticated answer of a rate-limited organization, errors included (README "Rate limits"). */
export const rateLimitHeaders: Record<string, HeaderObject> = {
  'X-RateLimit-Limit': { description: 'Units per 60-second window', schema: integer },
  'X-RateLimit-Remaining': { description: 'Units left in this window', schema: integer },
  'X-RateLimit-Reset': { description: 'When this window ends, in epoch seconds', schema: integer },
};

/** On a write answered again for a retry with the same Idempotency-Key. */
export const replayedHeader: Record<string, HeaderObject> = {
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};
