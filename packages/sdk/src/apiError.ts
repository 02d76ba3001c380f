import type { components } from './schema';

/** The `error` of the API's failure envelope `{success: false, error, request_id}`. */
export type ApiErrorBody = components['schemas']['ApiError'];
export type ErrorCode = components['schemas']['ErrorCode'];

/** A request the API answered with an error: the HTTP status and the envelope's `code`, `message`, `param`, `request_id`. */
export class AfternoonApiError extends Error {
  override readonly name = 'AfternoonApiError';
  readonly status: number;
  /** The envelope's `error.code`, or `HTTP_<status>` when the answer was not the API's envelope (a proxy's page). */
  readonly code: ErrorCode | `HTTP_${number}`;
  readonly param: string | undefined;
  readonly details: ApiErrorBody['details'];
  readonly requestId: string | undefined;

  constructor(status: number, body: unknown, requestIdHeader?: string | null) {
    const envelope = envelopeOf(body);
    super(envelope?.error.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = envelope?.error.code ?? `HTTP_${status}`;
    this.param = envelope?.error.param;
    this.details = envelope?.error.details;
    this.requestId = envelope?.request_id ?? requestIdHeader ?? undefined;
  }
}

function envelopeOf(body: unknown): components['schemas']['ErrorResponse'] | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body as { error: unknown };
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string'
    ? (body as components['schemas']['ErrorResponse'])
    : undefined;
}
