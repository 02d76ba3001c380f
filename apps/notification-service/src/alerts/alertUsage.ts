import { isUniqueViolation, type Tenant, type Transaction, withSavepoint } from '@afternoon/service-kit';
import type { UsagePeriod } from './usagePeriod';
import { totalKey, type UsageTotal } from './usageTally';

/** A customer of a tenant, as the usage of a batch names it. */
export interface UsageCustomer extends Tenant {
  customerId: string;
}

/** Names a customer in maps of a batch. */
export const customerName = (customer: UsageCustomer) =>
  `${customer.organizationId}\u0000${customer.mode}\u0000${customer.customerId}`;

/**
 * Each record's events not counted before, now marked counted (one statement for the batch, two when one was), in the
 * records' order: an event counts in the first record that holds it. Metering's outbox may send a record twice, and
 * an event may appear twice in one record. Only events some additive meter counts are given: the others change no
 * total.
 */
export async function countOnce<Event extends { usageId: string }>(
  tx: Transaction,
  records: readonly (readonly Event[])[],
): Promise<Event[][]> {
  const ids = [...new Set(records.flatMap((events) => events.map((event) => event.usageId)))];
  if (ids.length === 0) return records.map(() => []);
  const fresh = new Set(await markCounted(tx, ids));
  return records.map((events) => events.filter((event) => fresh.delete(event.usageId)));
}

/**
 * Marks the ids counted and answers those that were not. Almost always none was (only a record sent again repeats
 * them), so a plain insert goes first: about half the cost of one that looks each key up before inserting it (`ON
 * CONFLICT`). If one was, its savepoint undoes it and the insert that looks them up answers which were new.
 */
async function markCounted(tx: Transaction, ids: readonly string[]): Promise<readonly string[]> {
  try {
    await withSavepoint(tx, () =>
      tx.query('INSERT INTO alert_counted_usage (usage_id) SELECT unnest($1::text[])', [ids]),
    );
    return ids;
  } catch (error) {
    if (!isUniqueViolation(error, 'alert_counted_usage_pkey')) throw error;
  }
  const { rows } = await tx.query<{ usage_id: string }>(
    'INSERT INTO alert_counted_usage (usage_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING usage_id',
    [ids],
  );
  return rows.map((row) => row.usage_id);
}

/** A running total a batch wants, of one customer. */
export interface WantedTotal {
  customer: UsageCustomer;
  meterCode: string;
  period: UsagePeriod;
}

/**
 * The customers' running totals of these meters and periods, locked until the transaction ends: per customer (by
 * `customerName`), keyed by `totalKey`. One statement for the batch.
 */
export async function lockTotals(
  tx: Transaction,
  wanted: readonly WantedTotal[],
): Promise<Map<string, Map<string, string>>> {
  const meters = new Map(
    wanted.map(({ customer, meterCode }) => [`${customerName(customer)}\u0000${meterCode}`, { customer, meterCode }]),
  );
  const periodStarts = new Map(
    wanted.flatMap(({ period }) => (period.start ? [[period.start.getTime(), period.start]] : [])),
  );
  const { rows } = await tx.query<UsageRow>(
    `SELECT u.organization_id, u.mode, u.customer_id, u.meter_code, u.period_start, u.quantity::text AS quantity
       FROM alert_usage u
       JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS w (organization_id, mode, customer_id, meter_code)
         ON u.organization_id = w.organization_id AND u.mode = w.mode AND u.customer_id = w.customer_id
        AND u.meter_code = w.meter_code
      WHERE u.period_start IS NULL OR u.period_start = ANY($5::timestamptz[])
        FOR UPDATE OF u`,
    [
      [...meters.values()].map(({ customer }) => customer.organizationId),
      [...meters.values()].map(({ customer }) => customer.mode),
      [...meters.values()].map(({ customer }) => customer.customerId),
      [...meters.values()].map(({ meterCode }) => meterCode),
      [...periodStarts.values()].map((start) => start.toISOString()),
    ],
  );
  const totals = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const name = customerName({ organizationId: row.organization_id, mode: row.mode, customerId: row.customer_id });
    const ofCustomer = totals.get(name) ?? new Map<string, string>();
    ofCustomer.set(totalKey(row.meter_code, { start: row.period_start, end: null }), row.quantity);
    totals.set(name, ofCustomer);
  }
  return totals;
}

interface UsageRow {
  organization_id: string;
  mode: Tenant['mode'];
  customer_id: string;
  meter_code: string;
  period_start: Date | null;
  quantity: string;
}

/** Writes the totals the batch moved, each (customer, meter, period) once with its last value; one statement. */
export async function saveTotals(
  tx: Transaction,
  totals: readonly { customer: UsageCustomer; total: UsageTotal }[],
): Promise<void> {
  if (totals.length === 0) return;
  await tx.query(
    `INSERT INTO alert_usage (organization_id, mode, customer_id, meter_code, period_start, period_end, quantity)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                          $7::numeric[])
     ON CONFLICT (organization_id, mode, customer_id, meter_code, period_start)
     DO UPDATE SET quantity = excluded.quantity`,
    [
      totals.map(({ customer }) => customer.organizationId),
      totals.map(({ customer }) => customer.mode),
      totals.map(({ customer }) => customer.customerId),
      totals.map(({ total }) => total.meterCode),
      totals.map(({ total }) => total.period.start?.toISOString() ?? null),
      totals.map(({ total }) => total.period.end?.toISOString() ?? null),
      totals.map(({ total }) => total.quantity),
    ],
  );
}
