import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import type { RouteDeps } from '../routeDeps';

/** What ingest knows of a batch's customers: who is not the caller's customer, and "now" on each one's clock. */
export interface BatchCustomers {
  unknown: Set<string>;
  /** Test mode, customers on a test clock: the clock's time, which their events are held to and default to. */
  clockTimes: Map<string, string>;
}

/** How long ingest waits for its projection to catch up before it calls a customer unknown or a clock's time known. */
const catchUpMs = 5_000;

/**
 * Reads the batch's customers from the gateway's own projection (no service is asked). On a miss it first catches
 * up with `customer.events`, so a customer created by the previous request is known. A live batch the projection
 * cannot vouch for in time is accepted unchecked (metering lists an unknown customer's events as rejected): Kafka
 * alone must be enough to take usage. A test batch cannot be: a customer on a clock, stamped with the wall clock,
 * would be billed in the wrong period, so it answers 503, as it does when the clocks cannot be caught up with.
 */
export async function batchCustomers(deps: RouteDeps, caller: Caller, ids: string[]): Promise<BatchCustomers> {
  let found = await customerClocks(deps, caller, ids);
  if (found.size < ids.length) {
    if (await deps.usageCustomers.catchUp('customers', catchUpMs)) found = await customerClocks(deps, caller, ids);
    else if (caller.mode === 'test') throw notCaughtUp();
    else return { unknown: new Set(), clockTimes: new Map() };
  }
  const unknown = new Set(ids.filter((id) => !found.has(id)));
  const clockIds = [...new Set([...found.values()].filter((clock) => clock !== null))];
  if (clockIds.length === 0) return { unknown, clockTimes: new Map() };
  // An advance the caller was just told of must hold for this batch: its event is on the topic before the answer.
  if (!(await deps.usageCustomers.catchUp('testClocks', catchUpMs))) throw notCaughtUp();
  const times = await clockTimes(deps, caller, clockIds);
  const clockTimesOf = new Map<string, string>();
  for (const [customerId, clock] of found) {
    if (clock === null) continue;
    const time = times.get(clock);
    if (time === undefined) throw notCaughtUp();
    clockTimesOf.set(customerId, time);
  }
  return { unknown, clockTimes: clockTimesOf };
}

/** The caller's customers among `ids` that were not deleted, each with the test clock it lives on, if any. */
async function customerClocks(deps: RouteDeps, caller: Caller, ids: string[]): Promise<Map<string, string | null>> {
  const { rows } = await deps.pool.query<{ id: string; test_clock_id: string | null }>(
    `SELECT id, test_clock_id FROM usage_customers
      WHERE id = ANY($1::text[]) AND organization_id = $2 AND mode = $3 AND NOT deleted`,
    [ids, caller.organizationId, caller.mode],
  );
  return new Map(rows.map((row) => [row.id, row.test_clock_id]));
}

async function clockTimes(deps: RouteDeps, caller: Caller, clockIds: string[]): Promise<Map<string, string>> {
  const { rows } = await deps.pool.query<{ id: string; frozen_time: Date }>(
    'SELECT id, frozen_time FROM usage_test_clocks WHERE id = ANY($1::text[]) AND organization_id = $2 AND mode = $3',
    [clockIds, caller.organizationId, caller.mode],
  );
  return new Map(rows.map((row) => [row.id, row.frozen_time.toISOString()]));
}

function notCaughtUp(): ApiHttpError {
  return ApiHttpError.of(
    'SERVICE_UNAVAILABLE',
    "The batch's customers and their test clocks could not be checked in time; retry the batch with backoff",
  );
}
