import type { FieldProblem } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { eventTimestampProblem, IngestBody, type UsageRecord } from '@afternoon/contracts/usage';
import { parseFields, sendWithin } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import type { RouteDeps } from '../routeDeps';
import { batchCustomers } from './batchCustomers';

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

  const receivedAtIso = receivedAt.toISOString();
  const customerIds = [...new Set(events.map((event) => event.customer_id))];
  const { unknown, clockTimes } = await batchCustomers(deps, caller, customerIds);
  const nowOf = (customerId: string) => clockTimes.get(customerId) ?? receivedAtIso;
  const problems: FieldProblem[] = [];
  events.forEach((event, index) => {
    const problem =
      event.timestamp === undefined ? undefined : eventTimestampProblem(event.timestamp, nowOf(event.customer_id));
    if (problem) problems.push({ param: `events[${index}].timestamp`, message: problem });
  });
  events.forEach((event, index) => {
    if (unknown.has(event.customer_id))
      problems.push({ param: `events[${index}].customer_id`, message: 'no such customer' });
  });
  if (problems.length > 0) throw ApiHttpError.validation(problems.sort(byIndex));

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
  try {
    await sendWithin(
      deps.producer,
      {
        topic: deps.kafka.topic(Topics.usageIngest),
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
  return records.length;
}

function byIndex(a: FieldProblem, b: FieldProblem): number {
  const indexOf = (problem: FieldProblem) => Number(/^events\[(\d+)\]/.exec(problem.param)?.[1] ?? -1);
  return indexOf(a) - indexOf(b);
}
