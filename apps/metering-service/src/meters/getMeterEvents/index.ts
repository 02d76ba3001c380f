import type { Meter, MeterEventsQuery, MeterUsageEvent, MeterUsageEventList } from '@afternoon/contracts/meters';
import { decodeCursor, keysetPage, type Queryable, SqlParameters, type Tenant } from '@afternoon/service-kit';
import { normalizeDecimal } from '../../usage/exactDecimal';
import { checkGroupedBy, countedEvents, rangeOf, receivedWindowOf, scopeCondition } from '../countedEvents';

interface CountedEventRow {
  idempotency_key: string;
  event_name: string;
  customer_id: string;
  timestamp: Date;
  received_at: Date;
  properties: MeterUsageEvent['properties'];
  amount: string | null;
  value: string | null;
}

/**
 * The events a customer's usage of a meter over [from, to) is computed from, excluded ones left out, oldest first
 * and keyset-paginated on (timestamp, idempotency_key); within one group of the meter's `group_by` when asked.
 */
export async function listMeterEvents(
  db: Queryable,
  tenant: Tenant,
  customerId: string,
  meter: Meter,
  query: MeterEventsQuery,
): Promise<MeterUsageEventList> {
  const group = query.group ?? {};
  checkGroupedBy(meter, Object.keys(group), 'group');
  const params = new SqlParameters();
  const scope = { tenant, customerId, from: new Date(query.from), to: new Date(query.to), ...receivedWindowOf(query) };
  const counted = countedEvents(meter, scopeCondition(scope, params), rangeOf(scope.from, scope.to, params), params);
  const conditions = [...counted.conditions];
  for (const [property, value] of Object.entries(group)) {
    // As in the usage's groups: an event without the property is in the group whose value is null.
    const groupValue = `properties -> ${params.add(property)}`;
    conditions.push(
      value === null ? `${groupValue} IS NULL` : `${groupValue} = ${params.add(JSON.stringify(value))}::jsonb`,
    );
  }
  if (query.cursor) {
    const [timestamp, key] = decodeCursor(query.cursor);
    conditions.push(`("timestamp", idempotency_key) > (${params.add(timestamp)}::timestamptz, ${params.add(key)})`);
  }
  const { rows } = await db.query<CountedEventRow>(
    `SELECT idempotency_key, event_name, customer_id, "timestamp", received_at, properties,
            ${counted.amount}::text AS amount, ${counted.value} #>> '{}' AS value
       FROM usage_events WHERE ${conditions.join(' AND ')}
      ORDER BY "timestamp", idempotency_key LIMIT ${params.add(query.limit + 1)}`,
    params.values,
  );
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [
    last.timestamp.toISOString(),
    last.idempotency_key,
  ]);
  return { events: page.map(toMeterUsageEvent), pagination };
}

function toMeterUsageEvent({ amount, value, timestamp, received_at, ...event }: CountedEventRow): MeterUsageEvent {
  return {
    ...event,
    timestamp: timestamp.toISOString(),
    received_at: received_at.toISOString(),
    value: amount === null ? value : normalizeDecimal(amount),
  };
}
