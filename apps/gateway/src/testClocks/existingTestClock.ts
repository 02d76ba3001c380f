import { ResourceId } from '@afternoon/contracts/common';
import { type TestClock, TestClockAnswer } from '@afternoon/contracts/testClocks';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/**
 * The caller's test clock named `id`, or 404 naming `param` (also for a value that cannot be an id). Invoicing, which
 * owns the clocks, refuses a live caller with 403 `FORBIDDEN`; that refusal names `param` too.
 */
export async function existingTestClock(
  deps: RouteDeps,
  caller: Caller,
  id: string,
  param: string,
): Promise<TestClock> {
  // Made only when needed: an error captures a stack trace, and a clock is read on every poll of its status.
  const notFound = () => ApiHttpError.of('NOT_FOUND', `No such test clock: '${id}'`, param);
  if (!ResourceId.safeParse(id).success) throw notFound();
  try {
    return (await queryService(deps.services.invoicing, `/test-clocks/${id}`, caller, TestClockAnswer)).test_clock;
  } catch (error) {
    if (error instanceof ApiHttpError && error.error.code === 'NOT_FOUND') throw notFound();
    if (error instanceof ApiHttpError && error.error.code === 'FORBIDDEN')
      throw ApiHttpError.of('FORBIDDEN', error.message, param);
    throw error;
  }
}
