import type { Meter, MeterTopCustomers, MeterTopCustomersQuery } from '@afternoon/contracts/meters';
import { SqlParameters, type Tenant } from '@afternoon/service-kit';
import type pg from 'pg';
import { normalizeDecimal } from '../../usage/exactDecimal';
import { withRollupSnapshot } from '../rollups/rollupSnapshot';
import { meterAggregateSql } from './meterUsageSql';

export type TopCustomersAnswer = Omit<MeterTopCustomers, 'processed_through'>;

/** The customers with the highest usage of a meter over [from, to), highest first. */
export async function meterTopCustomers(
  pool: pg.Pool,
  tenant: Tenant,
  meter: Meter,
  query: MeterTopCustomersQuery,
): Promise<TopCustomersAnswer> {
  const from = new Date(query.from);
  const to = new Date(query.to);
  const rows = await withRollupSnapshot(pool, meter, async (tx, rollupCurrent) => {
    const params = new SqlParameters();
    const options = { groupBy: [], byCustomer: true, rollupCurrent };
    const aggregate = meterAggregateSql(meter, { tenant, from, to }, options, params);
    const ranked = await tx.query<{ customer_id: string; value: string | null }>(
      params.query(`SELECT customer_id, value::text FROM (${aggregate.text}) per_customer WHERE level = 0
        ORDER BY value DESC NULLS LAST, customer_id LIMIT ${params.add(query.limit)}`),
    );
    return ranked.rows;
  });
  return {
    meter: meter.code,
    from: from.toISOString(),
    to: to.toISOString(),
    customers: rows.map((row) => ({
      customer_id: row.customer_id,
      value: row.value === null ? null : normalizeDecimal(row.value),
    })),
  };
}
