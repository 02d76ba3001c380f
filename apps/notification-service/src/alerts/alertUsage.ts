import type { MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { SqlParameters, type Tenant, type Transaction } from '@afternoon/service-kit';
import type { UsagePeriod } from './usagePeriod';
import { totalKey, type UsageTotal } from './usageTally';

/**
 * The record's events not counted before, now marked counted: metering republishes the same usage ids after its
 * own rebuild, and an event may appear twice in one record.
 */
export async function countOnce(tx: Transaction, usage: MeteredUsageRecord): Promise<MeteredUsageRecord['events']> {
  const ids = [...new Set(usage.events.map((event) => event.usage_id))];
  const { rows } = await tx.query<{ usage_id: string }>(
    `INSERT INTO alert_counted_usage (organization_id, mode, usage_id)
     SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING RETURNING usage_id`,
    [usage.organization_id, usage.mode, ids],
  );
  const fresh = new Set(rows.map((row) => row.usage_id));
  return usage.events.filter((event) => fresh.delete(event.usage_id));
}

/** The customer's running totals of these meters and periods, locked until the transaction ends; keyed by `totalKey`. */
export async function lockTotals(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  wanted: readonly { meterCode: string; period: UsagePeriod }[],
): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ meter_code: string; period_start: Date | null; quantity: string }>(
    `SELECT meter_code, period_start, quantity::text AS quantity FROM alert_usage
      WHERE organization_id = $1 AND mode = $2 AND customer_id = $3 AND meter_code = ANY($4::text[])
        AND (period_start IS NULL OR period_start = ANY($5::timestamptz[]))
      FOR UPDATE`,
    [
      tenant.organizationId,
      tenant.mode,
      customerId,
      [...new Set(wanted.map((total) => total.meterCode))],
      [...new Set(wanted.flatMap(({ period }) => (period.start ? [period.start.toISOString()] : [])))],
    ],
  );
  return new Map(rows.map((row) => [totalKey(row.meter_code, { start: row.period_start, end: null }), row.quantity]));
}

export async function saveTotals(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  totals: readonly UsageTotal[],
): Promise<void> {
  if (totals.length === 0) return;
  const params = new SqlParameters();
  const tuples = totals.map(
    ({ meterCode, period, quantity }) =>
      `(${params.list([tenant.organizationId, tenant.mode, customerId, meterCode])}, ${params.add(period.start?.toISOString() ?? null)}::timestamptz, ${params.add(period.end?.toISOString() ?? null)}::timestamptz, ${params.add(quantity)}::numeric)`,
  );
  await tx.query(
    params.query(
      `INSERT INTO alert_usage (organization_id, mode, customer_id, meter_code, period_start, period_end, quantity)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (organization_id, mode, customer_id, meter_code, period_start)
       DO UPDATE SET quantity = excluded.quantity`,
    ),
  );
}
