import type { IHeaders, KafkaMessage } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { Transaction } from '../postgres/database';
import { inRecordTrace } from '../tracing/spans';

/** Kafka headers as plain strings (kafkajs hands them over as Buffers). */
export function recordHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The record's Kafka timestamp, milliseconds since the epoch. */
  timestamp: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface RecordContext {
  logger: Logger;
  /** Label for metrics; handlers set it once they know the record's type. */
  setType(type: string): void;
  /** Marks the record as one this consumer does not handle (counted, not an error). */
  skip(): void;
}

/** Handles one record inside the transaction that also stores the partition's next offset. */
export type RecordHandler = (tx: Transaction, record: ConsumedRecord, context: RecordContext) => Promise<void>;

/**
 * Optional batch mode: handles every not-yet-applied record of one fetched batch in one transaction, which also
 * stores the partition's next offset. If it throws, the kit handles those records one by one with the record handler.
 * It may add each record's type and outcome to `outcomes`, for the metrics; otherwise the batch counts as `batch`.
 */
export type BatchHandler = (
  tx: Transaction,
  records: ConsumedRecord[],
  context: { logger: Logger; outcomes?: RecordOutcome[] },
) => Promise<void>;

/** What became of a record handled in a batch, as `recordsHandled` counts it. */
export interface RecordOutcome {
  type: string;
  outcome: 'handled' | 'unknown_type';
}

/**
 * The batch handler of a consumer that has no batch logic of its own: `handle` over every pending record of the
 * batch, in order, each in its own trace (with `traceEachRecord`), in the batch's one transaction. A record of a
 * projection costs less than the commit that stores it alone (ADR 0035).
 */
export function eachRecordOfBatch(handle: RecordHandler): BatchHandler {
  return async (tx, records, { logger, outcomes }) => {
    for (const record of records) {
      const outcome: RecordOutcome = { type: 'unknown', outcome: 'handled' };
      const context: RecordContext = {
        logger,
        setType: (type) => {
          outcome.type = type;
        },
        skip: () => {
          outcome.outcome = 'unknown_type';
        },
      };
      await inRecordTrace(record, () => handle(tx, record, context));
      outcomes?.push(outcome);
    }
  };
}

/** A fetched Kafka message as handlers see it: strings, headers included. */
export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers: recordHeaders(message.headers),
  };
}
