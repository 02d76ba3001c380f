import { ApiError } from '@afternoon/contracts/common';
import { type InternalApi, internalApiHeaders, TenantHeaders } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';

/**
 * Asks the owning service's internal read API, scoped to the caller's organization and mode. A parameter the client
 * repeated (`?limit=5&limit=6`) is refused: forwarding one of them, or none, would answer a question not asked.
 */
export async function queryService(
  service: InternalApi,
  path: string,
  caller: Caller,
  query: Record<string, unknown> = {},
): Promise<unknown> {
  const url = new URL(path, service.url);
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') url.searchParams.set(name, value);
    else if (value !== undefined) throw ApiHttpError.validation([{ param: name, message: 'must be given once' }]);
  }
  return askService(service, url, caller);
}

const readTimeoutMs = 10_000;

async function askService(service: InternalApi, url: URL, caller: Caller): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        ...internalApiHeaders(service.token),
        [TenantHeaders.organizationId]: caller.organizationId,
        [TenantHeaders.mode]: caller.mode,
      },
      signal: AbortSignal.timeout(readTimeoutMs),
    });
  } catch {
    throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'The service that answers this request is unavailable; retry later');
  }
  const answer: unknown = await response.json().catch(() => undefined);
  if (response.ok) return answer;
  const error = ApiError.safeParse((answer as { error?: unknown } | undefined)?.error);
  if (error.success && response.status < 500) throw new ApiHttpError(error.data);
  throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'The service that answers this request failed; retry later');
}
