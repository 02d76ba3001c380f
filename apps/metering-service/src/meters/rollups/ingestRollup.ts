import { type Aggregation, numericAggregations } from '@afternoon/contracts/meters';
import type { UsageRecord } from '@afternoon/contracts/usage';
import type { Transaction } from '@afternoon/service-kit';
import { decimalOf, ownValue, passesFilters } from '../../usage/meteredQuantities';
import { addTakenToRollupsSql } from './rollupSql';

/** An active meter that may count a batch's events: what it takes from each, and whether ingest adds to its rollup. */
export interface BatchMeter {
  id: string;
  organization_id: string;
  mode: string;
  code: string;
  event_name: string;
  aggregation: Aggregation;
  property: string | null;
  filters: Record<string, unknown>;
  group_by: string[];
  /** Its rollup is built for its current definition, so ingest adds to it; a stale one is left to its rebuild. */
  rollupCurrent: boolean;
}

/**
 * Locks (FOR SHARE, until the transaction ends) every active meter these events could count for, and answers them
 * in order of code. A rollup rebuild locks its meter FOR UPDATE, so a batch either commits before the rebuild reads
 * the events (and the rebuild counts it) or waits for the rebuild and adds to the rebuilt rollup itself.
 */
export async function lockBatchMeters(tx: Transaction, usages: readonly UsageRecord[]): Promise<BatchMeter[]> {
  const kinds = new Map(usages.map((usage) => [`${usage.organization_id}/${usage.mode}/${usage.event_name}`, usage]));
  if (kinds.size === 0) return [];
  const distinct = [...kinds.values()];
  // Locked in order of id (as every locker of meters does), answered in order of code.
  const { rows } = await tx.query<BatchMeter>(
    `SELECT * FROM (
       SELECT id, organization_id, mode, code, event_name, aggregation, property, filters, group_by,
              rollup_version IS NOT DISTINCT FROM definition_version AS "rollupCurrent"
         FROM meters
        WHERE status = 'active'
          AND (organization_id, mode, event_name) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
        ORDER BY id FOR SHARE) locked
      ORDER BY code`,
    [
      distinct.map((usage) => usage.organization_id),
      distinct.map((usage) => usage.mode),
      distinct.map((usage) => usage.event_name),
    ],
  );
  return rows;
}

/** A stored event as the rollups take it: the record, and the time it is stored as received at. */
export interface RolledUpEvent {
  usage: UsageRecord;
  receivedAt: string;
}

/**
 * Adds `events` (newly stored, never a duplicate) to the rollups of those of `meters` whose rollup is current, in one
 * statement. What each meter takes from each event is worked out here, as `addToHourlyRollupSql` works it out from
 * the stored row (filters by jsonb containment, the property's value, its group), and Postgres sums them per hour
 * and group as `numeric`, so the arithmetic and the latest event's order are its own.
 */
export async function addToRollups(
  tx: Transaction,
  meters: readonly BatchMeter[],
  events: readonly RolledUpEvent[],
): Promise<void> {
  const current = meters.filter((meter) => meter.rollupCurrent);
  if (current.length === 0 || events.length === 0) return;
  const columns: unknown[][] = Array.from({ length: 13 }, () => []);
  const push = (...values: unknown[]) => {
    for (const [index, value] of values.entries()) columns[index]?.push(value);
  };
  const byKind = new Map<string, BatchMeter[]>();
  for (const meter of current) {
    const kind = kindOf(meter);
    byKind.set(kind, [...(byKind.get(kind) ?? []), meter]);
  }
  for (const { usage, receivedAt } of events) {
    const { properties } = usage;
    for (const meter of byKind.get(kindOf(usage)) ?? []) {
      if (!passesFilters(meter.filters, properties)) continue;
      const value = meter.property === null ? undefined : ownValue(properties, meter.property);
      const numeric = numericAggregations.includes(meter.aggregation);
      const isNumber = typeof value === 'number';
      const groupKey = meter.group_by.map((property) => ownValue(properties, property) ?? null);
      push(
        meter.organization_id,
        meter.mode,
        meter.id,
        usage.customer_id,
        JSON.stringify(groupKey),
        usage.timestamp,
        receivedAt,
        usage.idempotency_key,
        meter.aggregation === 'count' || (value !== undefined && (meter.aggregation === 'unique_count' || isNumber)),
        numeric && isNumber ? decimalOf(value) : null,
        meter.aggregation !== 'count' && value === undefined,
        numeric && value !== undefined && !isNumber,
        meter.aggregation === 'unique_count' && value !== undefined ? JSON.stringify(value) : null,
      );
    }
  }
  if (columns[0]?.length === 0) return;
  await tx.query(addTakenToRollupsSql, columns);
}

/** Names the events a meter counts (unambiguous: only the event name, last, may hold the separator). */
const kindOf = (of: { organization_id: string; mode: string; event_name: string }) =>
  `${of.organization_id}\u0000${of.mode}\u0000${of.event_name}`;
