import type {
  CustomerUsage,
  ListUsageEventsQuery,
  UsageEvent,
  UsageEventList,
  UsageQuery,
} from '@afternoon/contracts/usage';
import { decodeCursor, keysetPage, type Queryable, SqlParameters, type Tenant } from '@afternoon/service-kit';
import { normalizeDecimal } from './exactDecimal';

/** Newest first by timestamp, keyset-paginated on (timestamp, idempotency_key) so pages stay stable. */
export async function listUsageEvents(
  db: Queryable,
  tenant: Tenant,
  query: ListUsageEventsQuery,
): Promise<UsageEventList> {
  const params = new SqlParameters();
  const conditions = windowConditions(tenant, query, params);
  if (query.customer_id) conditions.push(`customer_id = ${params.add(query.customer_id)}`);
  if (query.cursor) {
    const [timestamp, key] = decodeCursor(query.cursor);
    conditions.push(`("timestamp", idempotency_key) < (${params.add(timestamp)}::timestamptz, ${params.add(key)})`);
  }
  const { rows } = await db.query<UsageEventRow>(
    params.query(`SELECT event_name, idempotency_key, customer_id, "timestamp", properties, received_at FROM usage_events
      WHERE ${conditions.join(' AND ')}
      ORDER BY "timestamp" DESC, idempotency_key DESC LIMIT ${params.add(query.limit + 1)}`),
  );
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [
    last.timestamp.toISOString(),
    last.idempotency_key,
  ]);
  return { events: page.map(toUsageEvent), pagination };
}

/**
 * Count and, per numeric property, the exact sum over the window. JSON numbers are `numeric` in jsonb, so the sums
 * are exact decimals, answered as strings (`0.1 + 0.2` is `"0.3"`).
 */
export async function customerUsage(
  db: Queryable,
  tenant: Tenant,
  customerId: string,
  query: UsageQuery,
): Promise<CustomerUsage> {
  const params = new SqlParameters();
  const where = [...windowConditions(tenant, query, params), `customer_id = ${params.add(customerId)}`].join(' AND ');
  const counted = await db.query<{ count: string }>(
    params.query(`SELECT count(*)::text AS count FROM usage_events WHERE ${where}`),
  );
  const summed = await db.query<{ name: string; sum: string }>(
    params.query(`SELECT property.key AS name, sum((property.value)::text::numeric)::text AS sum
       FROM usage_events, jsonb_each(properties) AS property
      WHERE ${where} AND jsonb_typeof(property.value) = 'number'
      GROUP BY property.key ORDER BY property.key`),
  );
  return {
    customer_id: customerId,
    event_name: query.event_name ?? null,
    from: query.from ?? null,
    to: query.to ?? null,
    count: Number(counted.rows[0]?.count ?? 0),
    sums: Object.fromEntries(summed.rows.map((row) => [row.name, normalizeDecimal(row.sum)])),
  };
}

function windowConditions(tenant: Tenant, query: UsageQuery, params: SqlParameters): string[] {
  const conditions = [`organization_id = ${params.add(tenant.organizationId)}`, `mode = ${params.add(tenant.mode)}`];
  if (query.event_name) conditions.push(`event_name = ${params.add(query.event_name)}`);
  if (query.from) conditions.push(`"timestamp" >= ${params.add(query.from)}::timestamptz`);
  if (query.to) conditions.push(`"timestamp" < ${params.add(query.to)}::timestamptz`);
  return conditions;
}

interface UsageEventRow {
  event_name: string;
  idempotency_key: string;
  customer_id: string;
  timestamp: Date;
  properties: UsageEvent['properties'];
  received_at: Date;
}

function toUsageEvent(row: UsageEventRow): UsageEvent {
  return { ...row, timestamp: row.timestamp.toISOString(), received_at: row.received_at.toISOString() };
}
