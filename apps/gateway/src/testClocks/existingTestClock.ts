import { ResourceId } from '@afternoon/contracts/common';
import { type TestClock, TestClockAnswer } from '@afternoon/contracts/testClocks';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** Test clocks exist in test mode only: a live key asking for one is refused, naming `param`. */
export function requireTestMode(caller: Caller, param?: string): void {
  if (caller.mode !== 'test')
    throw ApiHttpError.of('FORBIDDEN', 'Test clocks exist in test mode only: use a test API key (ak_test_…)', param);
}

/** The caller's test clock named `id`, or 404 naming `param` (also for a value that cannot be an id). */
export async function existingTestClock(
  deps: RouteDeps,
  caller: Caller,
  id: string,
  param: string,
): Promise<TestClock> {
  requireTestMode(caller, param);
  const notFound = ApiHttpError.of('NOT_FOUND', `No such test clock: '${id}'`, param);
  if (!ResourceId.safeParse(id).success) throw notFound;
  try {
    return (await queryService(deps.services.invoicing, `/test-clocks/${id}`, caller, TestClockAnswer)).test_clock;
  } catch (error) {
    if (error instanceof ApiHttpError && error.error.code === 'NOT_FOUND') throw notFound;
    throw error;
  }
}
