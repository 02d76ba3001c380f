import { ApiError } from '@afternoon/contracts/common';
import { TenantHeaders } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';

/** Asks the owning service's internal read API, scoped to the caller's organization and mode. */
export async function queryService(
  baseUrl: string,
  path: string,
  caller: Caller,
  query: Record<string, unknown> = {},
): Promise<unknown> {
  const url = new URL(path, baseUrl);
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') url.searchParams.set(name, value);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { [TenantHeaders.organizationId]: caller.organizationId, [TenantHeaders.mode]: caller.mode },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'The service that answers this request is unavailable; retry later');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const error = ApiError.safeParse((body as { error?: unknown } | undefined)?.error);
  if (error.success && response.status < 500) throw new ApiHttpError(error.data);
  throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'The service that answers this request failed; retry later');
}
