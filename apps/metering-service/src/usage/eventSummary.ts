import { type EventSummary, type EventSummaryQuery, RejectionReason } from '@afternoon/contracts/usage';
import type { Queryable, Tenant } from '@afternoon/service-kit';

/** How far metering has got with the ingest topic, topic-wide: it learns whose a record is only by handling it. */
export interface IngestProgress {
  /** The instant before which every record appended to the ingest topic is handled. */
  processedThrough(): Promise<Date>;
  /** How many records, of every organization, the topic received in [from, to) that are not handled yet. */
  inFlight(from: Date, to: Date): Promise<number>;
}

/**
 * What became of the tenant's records the ingest topic received in [from, to): every handled record is stored,
 * a duplicate or rejected, each counted once by the record it came from. Progress is read before the counts, so
 * `complete` never claims a record the counts have not seen.
 */
export async function eventSummary(
  db: Queryable,
  tenant: Tenant,
  query: EventSummaryQuery,
  progress: IngestProgress,
): Promise<EventSummary> {
  const from = new Date(query.from);
  const to = new Date(query.to);
  const processedThrough = await progress.processedThrough();
  const inFlight = await progress.inFlight(from, to);
  const window = 'organization_id = $1 AND mode = $2 AND received_at >= $3 AND received_at < $4';
  // One statement, one snapshot: a batch committing meanwhile is counted whole or not at all.
  const { rows } = await db.query<{ outcome: string; count: string }>(
    `SELECT 'stored' AS outcome, count(*)::text AS count FROM usage_events WHERE ${window}
     UNION ALL SELECT 'duplicate', count(*)::text FROM usage_duplicates WHERE ${window}
     UNION ALL SELECT reason_code, count(*)::text FROM rejected_events WHERE ${window} GROUP BY reason_code`,
    [tenant.organizationId, tenant.mode, from, to],
  );
  const counted = new Map(rows.map((row) => [row.outcome, Number(row.count)]));
  const byReason = Object.fromEntries(
    RejectionReason.options.map((reason) => [reason, counted.get(reason) ?? 0]),
  ) as EventSummary['rejected']['by_reason'];
  const stored = counted.get('stored') ?? 0;
  const duplicates = counted.get('duplicate') ?? 0;
  const rejected = Object.values(byReason).reduce((sum, count) => sum + count, 0);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    received: stored + duplicates + rejected,
    stored,
    duplicates,
    rejected: { total: rejected, by_reason: byReason },
    in_flight: inFlight,
    complete: processedThrough >= to,
    processed_through: processedThrough.toISOString(),
  };
}
