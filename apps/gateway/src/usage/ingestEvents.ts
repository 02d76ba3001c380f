import type { FieldProblem } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import { CustomerClockTimes } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import { eventTimestampProblem, IngestBody, type UsageRecord } from '@afternoon/contracts/usage';
import { parseFields, ServiceAnswerError, sendWithin } from '@afternoon/service-kit';
import { z } from 'zod';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import { queryServiceWithBody } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/**
 * Validates a whole ingest request, refusing it with every bad event's index and field, then puts one record per
 * event on the ingest topic in one send (`acks: all`). Nothing is enqueued unless every event is good.
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
  const clockTimes = await customerClockTimes(deps, caller, customerIds);
  const nowOf = (customerId: string) => clockTimes.get(customerId) ?? receivedAtIso;
  const problems: FieldProblem[] = [];
  events.forEach((event, index) => {
    const problem =
      event.timestamp === undefined ? undefined : eventTimestampProblem(event.timestamp, nowOf(event.customer_id));
    if (problem) problems.push({ param: `events[${index}].timestamp`, message: problem });
  });
  const unknown = new Set(await unknownCustomers(deps, caller, customerIds));
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

/**
 * In test mode, "now" of the customers that live on a test clock: the clock's time, which their events' timestamps
 * are held to and default to. Live mode has no clocks. Unlike the customer check below, this one cannot be skipped
 * when invoicing does not answer: stamped with the wall clock, a clock customer's usage would land in the wrong
 * period, so test-mode ingest answers 503 until invoicing is back.
 */
async function customerClockTimes(deps: RouteDeps, caller: Caller, ids: string[]): Promise<Map<string, string>> {
  if (caller.mode !== 'test') return new Map();
  const body = { customer_ids: ids };
  const { clock_times } = await queryServiceWithBody(
    deps.services.invoicing,
    '/customer-clock-times',
    caller,
    body,
    CustomerClockTimes,
  );
  return new Map(Object.entries(clock_times));
}

// Above metering's own wait for its customer projection to catch up (5 s), so an answer on its way is not cut off.
const knownCustomersTimeoutMs = 6_000;

/**
 * Asks metering, in one request, which of the ids are not this tenant's customers (it catches up first), so a
 * typo is refused at once. Only a convenience: when metering does not answer (down, slow, failing) the batch is
 * accepted unchecked, since Kafka alone must be enough to take usage, and metering lists any unknown customer's
 * events in GET /v1/events/rejected when it consumes them.
 */
async function unknownCustomers(deps: RouteDeps, caller: Caller, ids: string[]): Promise<string[]> {
  try {
    const body = { ids };
    const path = '/customers/known';
    return (
      await queryServiceWithBody(deps.services.metering, path, caller, body, KnownCustomers, knownCustomersTimeoutMs)
    ).unknown;
  } catch (error) {
    if (error instanceof ServiceAnswerError) return [];
    if (error instanceof ApiHttpError && error.error.code === 'SERVICE_UNAVAILABLE') return [];
    throw error;
  }
}

const KnownCustomers = z.object({ unknown: z.array(z.string()) });

function byIndex(a: FieldProblem, b: FieldProblem): number {
  const indexOf = (problem: FieldProblem) => Number(/^events\[(\d+)\]/.exec(problem.param)?.[1] ?? -1);
  return indexOf(a) - indexOf(b);
}
