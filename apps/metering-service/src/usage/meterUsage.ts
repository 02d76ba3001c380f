import { Topics } from '@afternoon/contracts/topics';
import { UsageRecord } from '@afternoon/contracts/usage';
import { cleanUsageRecord } from '@afternoon/contracts/usageRecordCheck';
import type {
  ConsumedRecord,
  ConsumerDefinition,
  FieldsParsed,
  HandledCheck,
  ServiceContext,
  Transaction,
} from '@afternoon/service-kit';
import { failureKind, NotYetError, parseFields, parseRecordJson } from '@afternoon/service-kit';
import { catchUpCustomers, customersCatchUpMs, customersConsumer } from '../customers/knownCustomers';
import { type BatchMeter, lockBatchMeters } from '../meters/rollups/ingestRollup';
import { queueMeteredUsage } from './meteredUsage';
import { receivedAtOf } from './receivedAt';
import { type Refusal, rejectRecord } from './rejectedEvents';
import { type StoredUsage, storeUsageEvents } from './storeUsageEvents';
import { notifyUsageOutcomes } from './usageOutcome';

interface MeterUsageOptions {
  schema: string;
  /** The dead-letter topic's full name (with the deployment's prefix). */
  deadLetterTopic: string;
  /** The full name of the topic stored usage is told on. */
  meteredTopic: string;
  /** Catches the customers projection up to the end of the customer topic; false when it could not in time. */
  catchUpCustomers(): Promise<boolean>;
  /** Waits until the customers projection holds every customer event appended before `instant`. */
  customersHandledBefore(instant: Date): Promise<boolean>;
  /** Asks the same without waiting, the Kafka read beside the caller's work (see `HandledCheck`). */
  customersCheck(instant: Date): HandledCheck;
}

export interface ParsedUsage {
  record: ConsumedRecord;
  usage: UsageRecord;
  /** The broker's append time (see `receivedAtOf`): what the event is stored, judged and billed as received at. */
  receivedAt: string;
}

/**
 * Stores each usage record once per (organization, mode, idempotency key), forever, a whole fetched batch with one
 * multi-row statement. A record that is invalid, names a customer the organization does not have (or had deleted
 * when the event was received), reuses a key with different content or holds a value Postgres refuses is refused:
 * kept in `rejected_events` and queued for the dead-letter topic with the reason, in the same transaction as the
 * events and the offset. The events stored now are queued for `usage.metered` in that transaction too.
 */
function meterUsage(options: MeterUsageOptions) {
  return async (tx: Transaction, records: ConsumedRecord[]): Promise<void> => {
    const reject = (record: ConsumedRecord, reason: Refusal, usage?: UsageRecord) =>
      rejectRecord(tx, options, record, reason, usage);
    const parsed: ParsedUsage[] = [];
    for (const record of records) {
      const usage = usageOf(record);
      if (usage.success) {
        parsed.push({ record, usage: usage.data, receivedAt: receivedAtOf(record) });
      } else {
        const fields = usage.problems.map(({ param, message }) => `${param || 'record'}: ${message}`);
        await reject(record, { code: 'invalid_record', reason: `invalid usage record: ${fields.join('; ')}` });
      }
    }
    // Each event is judged by the customers as they stood when it was received, so replaying the topic later,
    // when customer events replay beside it, decides every event the same way. Whether the projection has got that
    // far is asked of Kafka beside the work below (the projection's positions read first, in this transaction);
    // only if it had not is the batch held until it has, and its decisions kept only if the customers read then
    // are the ones they were made by. Until then (a rebuild replays both topics at once) it is retried, never refused.
    const newestReceived = parsed.reduce((newest, { receivedAt }) => Math.max(newest, Date.parse(receivedAt)), 0);
    const instant = new Date(newestReceived);
    const check = parsed.length > 0 ? options.customersCheck(instant) : undefined;
    await check?.readPositions(tx);
    const customers = await customersOf(tx, parsed, options);
    const owned = await ownedByLiveCustomers(parsed, customers, reject);
    const refusedByStore = (entry: ParsedUsage, error: Error) =>
      reject(entry.record, { code: 'unstorable_value', reason: `refused by the store: ${error.message}` }, entry.usage);
    const meters = await lockBatchMeters(
      tx,
      owned.map(({ usage }) => usage),
    );
    const { stored, conflicting } = await storeRefusingBadValues(tx, owned, meters, refusedByStore);
    for (const entry of conflicting) {
      const reason = 'duplicate idempotency_key with different content';
      await reject(entry.record, { code: 'conflicting_duplicate', reason }, entry.usage);
    }
    await queueMeteredUsage(tx, options, records, stored, meters);
    if (check && !(await check.passed())) {
      if (!(await options.customersHandledBefore(instant)))
        throw new NotYetError('the customer events before this usage was received are not handled yet');
      // Read committed: this sees the projection as it stands now, past every customer event before `instant`.
      if (!sameCustomers(customers, await knownCustomersOf(tx, parsed)))
        throw new NotYetError('customer events received before this usage changed its customers while it was judged');
    }
    await notifyUsageOutcomes(tx, options.schema);
  };
}

/** The record as its contract reads it: vouched for by the fast check, or else parsed by zod (naming the problems). */
function usageOf(record: ConsumedRecord): FieldsParsed<UsageRecord> {
  const value = parseRecordJson(record.value);
  const clean = cleanUsageRecord(value);
  return clean ? { success: true, data: clean } : parseFields(UsageRecord, value);
}

/** The entries whose customer was known and not deleted when each was received; the others go to `reject`. */
async function ownedByLiveCustomers(
  entries: readonly ParsedUsage[],
  customers: Map<string, Date | null>,
  reject: (record: ConsumedRecord, reason: Refusal, usage: UsageRecord) => Promise<void>,
): Promise<ParsedUsage[]> {
  const owned: ParsedUsage[] = [];
  for (const entry of entries) {
    const deletedAt = customers.get(customerKey(entry.usage));
    const { customer_id } = entry.usage;
    if (deletedAt === undefined)
      await reject(entry.record, { code: 'unknown_customer', reason: `unknown customer: ${customer_id}` }, entry.usage);
    else if (deletedAt !== null && deletedAt <= new Date(entry.receivedAt))
      await reject(
        entry.record,
        { code: 'customer_deleted', reason: `customer deleted before the event was received: ${customer_id}` },
        entry.usage,
      );
    else owned.push(entry);
  }
  return owned;
}

/** The customers the entries name, catching the projection up to the end of the customer topic when one is missing. */
async function customersOf(
  tx: Transaction,
  entries: readonly ParsedUsage[],
  options: MeterUsageOptions,
): Promise<Map<string, Date | null>> {
  const customers = await knownCustomersOf(tx, entries);
  if (entries.every(({ usage }) => customers.has(customerKey(usage)))) return customers;
  if (!(await options.catchUpCustomers()))
    throw new NotYetError('the customer events are not handled up to the end of their topic yet');
  return knownCustomersOf(tx, entries);
}

const sameCustomers = (judged: Map<string, Date | null>, settled: Map<string, Date | null>) =>
  judged.size === settled.size &&
  [...judged].every(([key, deletedAt]) => settled.has(key) && settled.get(key)?.getTime() === deletedAt?.getTime());

/**
 * Stores the entries; when Postgres refuses a value (a failure about the record, not the world), halves the batch
 * until the refused records are alone and hands each to `refuse`, storing all the others, so one bad record never
 * holds its partition. Answers the stored and the conflicting entries, as `storeUsageEvents` does.
 */
async function storeRefusingBadValues(
  tx: Transaction,
  entries: readonly ParsedUsage[],
  meters: readonly BatchMeter[],
  refuse: (entry: ParsedUsage, error: Error) => Promise<void>,
): Promise<StoredUsage> {
  await tx.query('SAVEPOINT store_usage');
  try {
    const outcome = await storeUsageEvents(tx, entries, meters);
    await tx.query('RELEASE SAVEPOINT store_usage');
    return outcome;
  } catch (error) {
    if (failureKind(error) !== 'record' || !(error instanceof Error)) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT store_usage; RELEASE SAVEPOINT store_usage');
    const [only] = entries;
    if (entries.length === 1 && only) {
      await refuse(only, error);
      return { stored: [], conflicting: [] };
    }
    const half = Math.ceil(entries.length / 2);
    const first = await storeRefusingBadValues(tx, entries.slice(0, half), meters, refuse);
    const second = await storeRefusingBadValues(tx, entries.slice(half), meters, refuse);
    return {
      stored: [...first.stored, ...second.stored],
      conflicting: [...first.conflicting, ...second.conflicting],
    };
  }
}

export const usageConsumerName = 'usage';

/** What metering's usage handling needs from the running service: where refusals go, and its customers' progress. */
function meterUsageOptions(context: ServiceContext): MeterUsageOptions {
  const customersHandledBefore = context.processedThroughWaiter(customersConsumer.name, Topics.customerEvents);
  return {
    schema: context.schema,
    deadLetterTopic: context.kafka.topic(Topics.usageIngestDeadLetter),
    meteredTopic: context.kafka.topic(Topics.usageMetered),
    catchUpCustomers: catchUpCustomers(context),
    customersHandledBefore: (instant) => customersHandledBefore(instant, customersCatchUpMs),
    customersCheck: (instant) => customersHandledBefore.check(instant),
  };
}

export const usageConsumer: ConsumerDefinition = {
  name: usageConsumerName,
  topics: [Topics.usageIngest],
  deadLetterTopic: Topics.usageIngestDeadLetter,
  handleBatch: (tx, records, context) => meterUsage(meterUsageOptions(context))(tx, records),
  // A batch that fails is retried one record at a time, by the same logic.
  handle: (tx, record, context) => {
    context.setType('usage');
    return meterUsage(meterUsageOptions(context))(tx, [record]);
  },
};

const customerKey = (usage: UsageRecord) => `${usage.organization_id}/${usage.mode}/${usage.customer_id}`;

/** The known customers among `entries`, by (organization, mode, customer) key, with when each was deleted. */
async function knownCustomersOf(tx: Transaction, entries: readonly ParsedUsage[]): Promise<Map<string, Date | null>> {
  const wanted = new Map(entries.map(({ usage }) => [customerKey(usage), usage]));
  if (wanted.size === 0) return new Map();
  const usages = [...wanted.values()];
  const { rows } = await tx.query<{ id: string; organization_id: string; mode: string; deleted_at: Date | null }>(
    `SELECT id, organization_id, mode, deleted_at FROM known_customers
      WHERE (id, organization_id, mode) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
    [
      usages.map((usage) => usage.customer_id),
      usages.map((usage) => usage.organization_id),
      usages.map((usage) => usage.mode),
    ],
  );
  return new Map(rows.map((row) => [`${row.organization_id}/${row.mode}/${row.id}`, row.deleted_at]));
}
