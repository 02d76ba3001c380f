import { ApiError } from '@afternoon/contracts/common';
import type { z } from 'zod';
import { NotYetError } from '../failures';
import { withTraceHeaders } from '../tracing/spans';
import { type InternalApi, internalApiHeaders } from './internalApi';
import { sendInternal } from './internalRequest';
import { type Tenant, TenantHeaders } from './tenant';

/** One question to another service's internal API; `answer` is the contract its 2xx answer must match. */
export interface ServiceQuestion<T> {
  path: string;
  answer: z.ZodType<T>;
  /** Whose data it is about; left out only where the token alone is the capability (a hosted invoice's). */
  tenant?: Tenant;
  /** Query-string parameters; undefined ones are left out. */
  query?: Readonly<Record<string, string | undefined>>;
  /** Sent as JSON with POST: a read too large for a query string (a batch's ids). */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

const defaultTimeoutMs = 10_000;

/** The service could not be reached, missed the deadline, or failed (5xx): the world's failure, asked again later. */
export class ServiceUnavailableError extends NotYetError {
  constructor(reason: string) {
    super(reason);
    this.name = 'ServiceUnavailableError';
  }
}

/** The service refused the question (a 4xx with its error envelope): `error` says why, as it would to a client. */
export class ServiceRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
    question: string,
  ) {
    super(`${question} was refused (${status} ${error.code}): ${error.message}`);
    this.name = 'ServiceRefusedError';
  }
}

/** A 2xx answer that does not match its contract: a bug on one side of the edge, never passed on as if it were data. */
export class ServiceAnswerError extends Error {
  constructor(question: string, problem: string) {
    super(`${question} was answered in an unexpected shape: ${problem}`);
    this.name = 'ServiceAnswerError';
  }
}

/**
 * Asks another service's internal API with its token (and the tenant's headers when given), and answers with the
 * 2xx answer parsed by `question.answer`. Throws `ServiceRefusedError` for a 4xx with an error envelope,
 * `ServiceUnavailableError` when unreachable, late or failing, and `ServiceAnswerError` for an answer off contract.
 */
export async function askService<T>(service: InternalApi, question: ServiceQuestion<T>): Promise<T> {
  const url = new URL(question.path, service.url);
  for (const [name, value] of Object.entries(question.query ?? {}))
    if (value !== undefined) url.searchParams.set(name, value);
  const method = question.body === undefined ? 'GET' : 'POST';
  const asked = `${method} ${url.pathname}`;
  let status: number;
  let text: string;
  try {
    ({ status, text } = await sendInternal(url, {
      method,
      headers: headersOf(service, question),
      ...(question.body === undefined ? {} : { body: JSON.stringify(question.body) }),
      timeoutMs: question.timeoutMs ?? defaultTimeoutMs,
    }));
  } catch (error) {
    throw new ServiceUnavailableError(`${asked} was not answered: ${String(error)}`);
  }
  const answer = jsonOf(text);
  if (status >= 200 && status < 300) {
    const parsed = question.answer.safeParse(answer);
    if (!parsed.success) throw new ServiceAnswerError(asked, parsed.error.message);
    return parsed.data;
  }
  const refusal = ApiError.safeParse((answer as { error?: unknown } | undefined)?.error);
  if (refusal.success && status < 500) throw new ServiceRefusedError(status, refusal.data, asked);
  throw new ServiceUnavailableError(`${asked} failed with ${status}: ${text.slice(0, 500)}`);
}

function headersOf(service: InternalApi, { tenant, body, headers }: ServiceQuestion<unknown>): Record<string, string> {
  return withTraceHeaders({
    ...internalApiHeaders(service.token),
    ...(tenant ? { [TenantHeaders.organizationId]: tenant.organizationId, [TenantHeaders.mode]: tenant.mode } : {}),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  });
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
