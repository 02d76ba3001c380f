import type { FieldProblem } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { eventTimestampProblem, IngestBody, type IngestEvent } from '@afternoon/contracts/usage';
import { cleanIngestBody } from '@afternoon/contracts/usageIngestCheck';
import { parseFields, sendWithin } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import type { RouteDeps } from '../routeDeps';
import { batchCustomers } from './batchCustomers';
import { usageRecordJsons } from './usageRecordJson';

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
  // The usual body passes a check of its own (ADR 0031); zod, which names every problem, reads the others.
  let body = cleanIngestBody(input);
  if (body === undefined) {
    const parsed = parseFields(IngestBody, input);
    if (!parsed.success) throw ApiHttpError.validation(parsed.problems);
    body = parsed.data;
  }
  const { events } = body;
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

  const values = usageRecordJsons(
    { organizationId: caller.organizationId, mode: caller.mode, receivedAt: receivedAtIso, clockTimes },
    events,
  );
  return produceRecords(deps, requestId, events, values);
}

/**
 * Puts each event's record on the ingest topic, keyed by its customer, in one send. The one header is the request
 * id, for the consumers' logs; the tenant is in each record's value, where every reader of the topic finds it
 * (records other producers write carry no headers at all), so it is not repeated in headers (ADR 0031).
 */
async function produceRecords(
  deps: RouteDeps,
  requestId: string,
  events: readonly IngestEvent[],
  values: readonly string[],
): Promise<LandedRecords> {
  const topic = deps.kafka.topic(Topics.usageIngest);
  const headers = { [Headers.requestId]: requestId };
  const messages = new Array<{ key: string; value: string; headers: typeof headers }>(events.length);
  for (let index = 0; index < events.length; index++)
    messages[index] = { key: (events[index] as IngestEvent).customer_id, value: values[index] as string, headers };
  try {
    return await sendWithin(deps.producer, { topic, messages }, deps.produceTimeoutMs);
  } catch {
    // Some records may land later all the same: a retry of the batch is deduplicated on idempotency_key.
    throw ApiHttpError.of(
      'SERVICE_UNAVAILABLE',
      'The events could not be queued; retry the batch with exponential backoff',
    );
  }
}
