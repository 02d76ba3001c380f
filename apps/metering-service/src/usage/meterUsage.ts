import { Topics } from '@afternoon/contracts/topics';
import { UsageRecord } from '@afternoon/contracts/usage';
import type { BatchHandler, ConsumedRecord, ConsumerDefinition, Transaction } from '@afternoon/service-kit';
import { parseRecordJson } from '@afternoon/service-kit';
import { rejectRecord } from './rejectedEvents';
import { storeUsageEvents } from './storeUsageEvents';

export interface MeterUsageOptions {
  schema: string;
  /** The dead-letter topic's full name (with the deployment's prefix). */
  deadLetterTopic: string;
  /** Catches the customers projection up to the end of the customer topic; false when it could not in time. */
  catchUpCustomers(): Promise<boolean>;
}

export interface ParsedUsage {
  record: ConsumedRecord;
  usage: UsageRecord;
}

/**
 * Stores each usage record once per (organization, mode, idempotency key), forever, a whole fetched batch with one
 * multi-row statement. A record that is invalid, names a customer the organization does not have, or reuses a key
 * with different content is refused: kept in `rejected_events` and queued for the dead-letter topic with the
 * reason, in the same transaction as the events and the offset.
 */
export function meterUsage(options: MeterUsageOptions): BatchHandler {
  return async (tx, records) => {
    const reject = (record: ConsumedRecord, reason: string, usage?: UsageRecord) =>
      rejectRecord(tx, options, record, reason, usage);
    const parsed: ParsedUsage[] = [];
    for (const record of records) {
      const usage = UsageRecord.safeParse(parseRecordJson(record.value));
      if (usage.success) {
        parsed.push({ record, usage: usage.data });
      } else {
        const fields = usage.error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`);
        await reject(record, `invalid usage record: ${fields.join('; ')}`);
      }
    }
    let unknown = await unknownCustomers(tx, parsed);
    if (unknown.size > 0 && (await options.catchUpCustomers())) unknown = await unknownCustomers(tx, parsed);
    const owned: ParsedUsage[] = [];
    for (const entry of parsed) {
      if (unknown.has(customerKey(entry.usage)))
        await reject(entry.record, `unknown customer: ${entry.usage.customer_id}`, entry.usage);
      else owned.push(entry);
    }
    for (const conflicting of await storeUsageEvents(tx, owned)) {
      await reject(conflicting.record, 'duplicate idempotency_key with different content', conflicting.usage);
    }
  };
}

export function usageConsumer(options: MeterUsageOptions): ConsumerDefinition {
  const handleBatch = meterUsage(options);
  return {
    name: 'usage',
    topics: [Topics.usageIngest],
    deadLetterTopic: Topics.usageIngestDeadLetter,
    handleBatch,
    // A batch that fails is retried one record at a time, by the same logic.
    handle: (tx, record, context) => {
      context.setType('usage');
      return handleBatch(tx, [record], context);
    },
  };
}

const customerKey = (usage: UsageRecord) => `${usage.organization_id}/${usage.mode}/${usage.customer_id}`;

/** The (organization, mode, customer) keys of `entries` that are not a live known customer, in one query. */
async function unknownCustomers(tx: Transaction, entries: readonly ParsedUsage[]): Promise<Set<string>> {
  const wanted = new Map(entries.map(({ usage }) => [customerKey(usage), usage]));
  if (wanted.size === 0) return new Set();
  const usages = [...wanted.values()];
  const { rows } = await tx.query<{ id: string; organization_id: string; mode: UsageRecord['mode'] }>(
    `SELECT id, organization_id, mode FROM known_customers
      WHERE deleted_at IS NULL
        AND (id, organization_id, mode) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
    [
      usages.map((usage) => usage.customer_id),
      usages.map((usage) => usage.organization_id),
      usages.map((usage) => usage.mode),
    ],
  );
  const known = new Set(rows.map((row) => `${row.organization_id}/${row.mode}/${row.id}`));
  return new Set([...wanted.keys()].filter((key) => !known.has(key)));
}
