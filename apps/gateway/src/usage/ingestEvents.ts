import type { FieldProblem } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { eventTimestampProblem, IngestBody, type IngestEvent, type UsageRecord } from '@afternoon/contracts/usage';
import { parseFields, sendWithin } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import type { RouteDeps } from '../routeDeps';
import { batchCustomers } from './batchCustomers';

/** Where the records of one send landed, per partition: `baseOffset` is the first one's offset. */
export type LandedRecords = readonly { topicName: string; partition: number; baseOffset?: string }[];

/**
 * Validates a whole ingest request, refusing it with every bad event's index and field (an unknown customer too, by
 * the gateway's own projection: ADR 0012), then puts one record per event on the ingest topic in one send
 * (`acks: all`). Nothing is enqueued unless every event is good.
 */
export async function ingestEvents(
  deps: RouteDeps,
  caller: Caller,
  requestId: string,
  input: unknown,
  receivedAt: Date,
): Promise<number> {
  const parsed = parseFields(IngestBody, input);
  if (!parsed.success) throw ApiHttpError.validation(parsed.problems);
  const { events } = parsed.data;
  await queueEvents(deps, caller, requestId, events, receivedAt, (index, field) => `events[${index}].${field}`);
  return events.length;
}

/**
 * Checks events already in their contract's shape against their customers (known, and each timestamp within limits
 * of the customer's now), naming each problem by `paramOf`, and queues them on the ingest topic in one send. Answers
 * where the records landed.
 */
export async function queueEvents(
  deps: RouteDeps,
  caller: Caller,
  requestId: string,
  events: readonly IngestEvent[],
  receivedAt: Date,
  paramOf: (index: number, field: 'timestamp' | 'customer_id') => string,
): Promise<LandedRecords> {
  const receivedAtIso = receivedAt.toISOString();
  const customerIds = [...new Set(events.map((event) => event.customer_id))];
  const { unknown, clockTimes } = await batchCustomers(deps, caller, customerIds);
  const nowOf = (customerId: string) => clockTimes.get(customerId) ?? receivedAtIso;
  const problems: { index: number; problem: FieldProblem }[] = [];
  events.forEach((event, index) => {
    const problem =
      event.timestamp === undefined ? undefined : eventTimestampProblem(event.timestamp, nowOf(event.customer_id));
    if (problem) problems.push({ index, problem: { param: paramOf(index, 'timestamp'), message: problem } });
  });
  events.forEach((event, index) => {
    if (unknown.has(event.customer_id))
      problems.push({ index, problem: { param: paramOf(index, 'customer_id'), message: 'no such customer' } });
  });
  if (problems.length > 0)
    throw ApiHttpError.validation(problems.sort((a, b) => a.index - b.index).map(({ problem }) => problem));

  const records = events.map(
    (event): UsageRecord => ({
      organization_id: caller.organizationId,
      mode: caller.mode,
      event_name: event.event_name,
      idempotency_key: event.idempotency_key,
      customer_id: event.customer_id,
      timestamp: event.timestamp ?? nowOf(event.customer_id),
      properties: event.properties ?? {},
      received_at: receivedAtIso,
      ...(clockTimes.has(event.customer_id) ? { clock_time: nowOf(event.customer_id) } : {}),
    }),
  );
  return produceRecords(deps, caller, requestId, records);
}

async function produceRecords(
  deps: RouteDeps,
  caller: Caller,
  requestId: string,
  records: readonly UsageRecord[],
): Promise<LandedRecords> {
  const topic = deps.kafka.topic(Topics.usageIngest);
  try {
    return await sendWithin(
      deps.producer,
      {
        topic,
        messages: records.map((record) => ({
          key: record.customer_id,
          value: JSON.stringify(record),
          headers: {
            [Headers.requestId]: requestId,
            [Headers.organizationId]: caller.organizationId,
            [Headers.mode]: caller.mode,
          },
        })),
      },
      deps.produceTimeoutMs,
    );
  } catch {
    // Some records may land later all the same: a retry of the batch is deduplicated on idempotency_key.
    throw ApiHttpError.of(
      'SERVICE_UNAVAILABLE',
      'The events could not be queued; retry the batch with exponential backoff',
    );
  }
}
