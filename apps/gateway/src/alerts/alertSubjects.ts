import { CustomerAnswer } from '@afternoon/contracts/customers';
import { MeterAnswer } from '@afternoon/contracts/meters';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** Aggregations whose usage adds up event by event, which is what an alert's running total needs. */
const additive = new Set(['count', 'sum']);

/**
 * Refuses an alert on a meter that is unknown, archived or not additive (400 naming `meter_code`, as a plan price
 * naming such a meter is), asked of metering's read API.
 */
export async function requireAlertableMeter(deps: RouteDeps, caller: Caller, code: string): Promise<void> {
  const meter = await orNotFound(queryService(deps.services.metering, `/meters/${code}`, caller, MeterAnswer));
  const problem =
    meter === undefined
      ? `no such meter: '${code}'`
      : meter.meter.status === 'archived'
        ? `meter '${code}' is archived`
        : additive.has(meter.meter.aggregation)
          ? undefined
          : `meter '${code}' aggregates by ${meter.meter.aggregation}; an alert needs a count or sum meter`;
  if (problem) throw ApiHttpError.validation([{ param: 'meter_code', message: problem }]);
}

/** Refuses an alert for a customer customer-service does not know (404 naming `customer_id`). */
export async function requireCustomer(deps: RouteDeps, caller: Caller, customerId: string): Promise<void> {
  const customer = await orNotFound(
    queryService(deps.services.customers, `/customers/${customerId}`, caller, CustomerAnswer),
  );
  if (customer === undefined) throw ApiHttpError.of('NOT_FOUND', `No such customer: '${customerId}'`, 'customer_id');
}

/** The answer, or undefined when the service says there is no such thing. */
async function orNotFound<T>(asked: Promise<T>): Promise<T | undefined> {
  try {
    return await asked;
  } catch (error) {
    if (error instanceof ApiHttpError && error.error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
