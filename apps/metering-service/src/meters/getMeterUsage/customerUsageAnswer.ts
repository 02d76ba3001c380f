import type { MeterUsageQuery } from '@afternoon/contracts/meters';
import type { WindowValuesUsage } from '@afternoon/contracts/meterUsageAnswer';
import { type HandledPositions, preparedStatement, type Tenant, throughOf } from '@afternoon/service-kit';
import type pg from 'pg';
import { type MeterRow, meterColumns, toMeter } from '../getMeters';
import { rollupCurrentSql } from '../rollups/rollupSnapshot';
import { readCustomerMeterUsageUnchanged } from '.';
import { positionsOf, positionsSql, type UsageHorizon } from './usageHorizon';

/** Why there is no answer: the customer (as metering knows them so far) or the meter is not the tenant's. */
export type Unanswered = { unknown: 'customer' } | { unknown: 'meter' };

interface ContextRow extends MeterRow {
  positions: [number, string, string | null][];
  customer_known: boolean;
  rollup_current: boolean;
  definition_version: number;
}

/** A meter's definition changing this many times while one answer is read is beyond any real use. */
const maxReads = 5;

/**
 * `GET /customers/:id/meter-usage` in two statements and no transaction: the consumer's positions (for the horizon),
 * whether the customer is the tenant's (ever, deleted ones included), the meter and whether its rollup is current,
 * all in one; then the usage with its excluded counts in one, read only if the meter is still as the first statement
 * read it (else both again). The positions are read first, so every event they cover is stored by the time the
 * usage is read: the horizon holds for an answer that may count more. The topic's ends are read from Kafka
 * meanwhile (`UsageHorizon`). Unknown customers are left to the caller, who may catch up and ask again.
 */
export async function customerUsageAnswer(
  pool: pg.Pool,
  horizon: UsageHorizon,
  tenant: Tenant,
  customerId: string,
  query: MeterUsageQuery,
): Promise<WindowValuesUsage | Unanswered> {
  const ends = horizon.topicEnds();
  // Awaited only once the usage has answered; a read that failed the answer first must not go unhandled.
  ends.catch(() => undefined);
  for (let read = 1; read <= maxReads; read += 1) {
    const { rows } = await pool.query<ContextRow>(
      preparedStatement({
        text: `SELECT ${positionsSql('$1', '$2')} AS positions,
              EXISTS (SELECT 1 FROM known_customers WHERE id = $3 AND organization_id = $4 AND mode = $5)
                AS customer_known,
              m.*
         FROM (SELECT 1) one
         LEFT JOIN (SELECT ${meterColumns}, definition_version, ${rollupCurrentSql} AS rollup_current FROM meters
                     WHERE organization_id = $4 AND mode = $5 AND code = $6) m ON true`,
        values: [horizon.groupId, horizon.topic, customerId, tenant.organizationId, tenant.mode, query.meter],
      }),
    );
    const { positions, customer_known, rollup_current, definition_version, ...meterRow } = rows[0] as ContextRow;
    if (!customer_known) return { unknown: 'customer' };
    if (meterRow.id === null) return { unknown: 'meter' };
    const meter = toMeter(meterRow);
    const answer = await readCustomerMeterUsageUnchanged(
      pool,
      { tenant, customerId, meter, query, rollupCurrent: rollup_current },
      definition_version,
    );
    if (answer) return { ...answer(), processed_through: through(await ends, positionsOf(positions)) };
  }
  throw new Error(`meter ${query.meter} changed under each of ${maxReads} reads of its usage`);
}

function through(ends: Awaited<ReturnType<UsageHorizon['topicEnds']>>, positions: HandledPositions): string {
  return throughOf(ends, positions).toISOString();
}
