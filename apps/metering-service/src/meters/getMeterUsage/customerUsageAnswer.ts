import type { Meter, MeterUsageQuery } from '@afternoon/contracts/meters';
import type { WindowValuesUsage } from '@afternoon/contracts/meterUsageAnswer';
import {
  type HandledPositions,
  preparedStatement,
  type SqlParameters,
  type Tenant,
  throughOf,
  ValidationError,
} from '@afternoon/service-kit';
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
 * A meter as an answer last read it, with its rollup current: the next answer about it guesses it is still so (ADR
 * 0057). One read while its rollup was not current is not kept: the statement checks that the meter is unchanged and
 * its rollup current, and a guess that it is not would never notice the rollup catch up.
 */
interface ReadMeter {
  meter: Meter;
  definitionVersion: number;
}

/** The meters answers last read, by tenant and code; at most `maxMetersRead`, the longest held forgotten first. */
export type MetersRead = Map<string, ReadMeter>;
const maxMetersRead = 1_000;

interface ContextColumns {
  positions: [number, string, string | null][];
  customer_known: boolean;
}

/**
 * `GET /customers/:id/meter-usage` in two statements and no transaction: the consumer's positions (for the horizon),
 * whether the customer is the tenant's (ever, deleted ones included), the meter and whether its rollup is current,
 * all in one; then the usage with its excluded counts in one, read only if the meter is still as the first statement
 * read it (else both again). The positions are read first, so every event they cover is stored by the time the
 * usage is read: the horizon holds for an answer that may count more. A meter an earlier answer read (its rollup
 * current) is guessed unchanged: its positions and customer are then read beside the usage, in the usage's own
 * snapshot, in one statement; a wrong guess costs the two statements after it. The topic's ends are read from Kafka
 * meanwhile (`UsageHorizon`). Unknown customers are left to the caller, who may catch up and ask again.
 */
export async function customerUsageAnswer(
  pool: pg.Pool,
  horizon: UsageHorizon,
  metersRead: MetersRead,
  tenant: Tenant,
  customerId: string,
  query: MeterUsageQuery,
): Promise<WindowValuesUsage | Unanswered> {
  const ends = horizon.topicEnds();
  // Awaited only once the usage has answered; a read that failed the answer first must not go unhandled.
  ends.catch(() => undefined);
  const meterKey = `${tenant.organizationId}\u0000${tenant.mode}\u0000${query.meter}`;
  const guessed = metersRead.get(meterKey);
  if (guessed) {
    const answer = await answerForMeterRead(pool, horizon, guessed, tenant, customerId, query);
    if (answer === 'changed') metersRead.delete(meterKey);
    else if (answer === 'unknown customer') return { unknown: 'customer' };
    else return { ...answer.usage, processed_through: through(await ends, answer.positions) };
  }
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
    const { answer } = await readCustomerMeterUsageUnchanged(
      pool,
      { tenant, customerId, meter, query, rollupCurrent: rollup_current },
      definition_version,
    );
    if (answer) {
      if (rollup_current) {
        if (metersRead.size >= maxMetersRead) metersRead.delete(metersRead.keys().next().value as string);
        metersRead.set(meterKey, { meter, definitionVersion: definition_version });
      }
      return { ...answer(), processed_through: through(await ends, positionsOf(positions)) };
    }
  }
  throw new Error(`meter ${query.meter} changed under each of ${maxReads} reads of its usage`);
}

function through(ends: Awaited<ReturnType<UsageHorizon['topicEnds']>>, positions: HandledPositions): string {
  return throughOf(ends, positions).toISOString();
}

/**
 * The answer in one statement, for the meter as an earlier answer read it: the consumer's positions and whether the
 * customer is known are read beside the usage, in its snapshot. 'changed' when the meter's definition is no longer
 * as read or its rollup no longer current, or the question does not fit it (a `group_by` it did not have): the
 * caller reads the meter again.
 */
async function answerForMeterRead(
  pool: pg.Pool,
  horizon: UsageHorizon,
  { meter, definitionVersion }: ReadMeter,
  tenant: Tenant,
  customerId: string,
  query: MeterUsageQuery,
): Promise<
  { usage: Omit<WindowValuesUsage, 'processed_through'>; positions: HandledPositions } | 'changed' | 'unknown customer'
> {
  const context = (params: SqlParameters) =>
    `${positionsSql(params.add(horizon.groupId), params.add(horizon.topic))} AS positions,
     EXISTS (SELECT 1 FROM known_customers WHERE id = ${params.add(customerId)}
               AND organization_id = ${params.add(tenant.organizationId)} AND mode = ${params.add(tenant.mode)})
       AS customer_known`;
  try {
    const { answer, also } = await readCustomerMeterUsageUnchanged<ContextColumns>(
      pool,
      { tenant, customerId, meter, query, rollupCurrent: true },
      definitionVersion,
      context,
    );
    if (!also.customer_known) return 'unknown customer';
    return answer ? { usage: answer(), positions: positionsOf(also.positions) } : 'changed';
  } catch (error) {
    // Refused for the meter as read (grouped by a property it did not have then): the meter as it is now decides.
    if (error instanceof ValidationError) return 'changed';
    throw error;
  }
}
