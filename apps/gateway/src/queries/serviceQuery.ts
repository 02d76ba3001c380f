import {
  askService,
  type InternalApi,
  type ServiceQuestion,
  ServiceRefusedError,
  ServiceUnavailableError,
} from '@afternoon/service-kit';
import type { z } from 'zod';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';

/**
 * Asks the owning service's internal read API, scoped to the caller's organization and mode, for an answer of
 * `answer`'s shape. A parameter the client repeated (`?limit=5&limit=6`) is refused: forwarding one of them, or
 * none, would answer a question not asked.
 */
export async function queryService<T>(
  service: InternalApi,
  path: string,
  caller: Caller,
  answer: z.ZodType<T>,
  query: Record<string, unknown> = {},
): Promise<T> {
  const given: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' || value === undefined) given[name] = value;
    else throw ApiHttpError.validation([{ param: name, message: 'must be given once' }]);
  }
  return askAsCaller(service, { path, answer, tenant: caller, query: given });
}

/**
 * The service's refusal (its 4xx error envelope) is the caller's; a service out of reach or failing is a 503. An
 * answer off its contract is a bug, left to the error handler to log and hide as a 500.
 */
async function askAsCaller<T>(service: InternalApi, question: ServiceQuestion<T>): Promise<T> {
  try {
    return await askService(service, question);
  } catch (error) {
    if (error instanceof ServiceRefusedError) throw new ApiHttpError(error.error);
    if (error instanceof ServiceUnavailableError)
      throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'The service that answers this request is unavailable; retry later');
    throw error;
  }
}
