import { RatedUsageAnswer } from '@afternoon/contracts/credits';
import { UsageOutcomeAnswer } from '@afternoon/contracts/meteredUsage';
import type { SyncIngestRated, SyncIngestRejected } from '@afternoon/contracts/syncIngest';
import { IngestOneBody } from '@afternoon/contracts/usage';
import {
  askService,
  type InternalApi,
  parseFields,
  type ServiceQuestion,
  ServiceRefusedError,
  ServiceUnavailableError,
} from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import type { RouteDeps } from '../routeDeps';
import { queueEvents } from './ingestEvents';

type Envelope = 'success' | 'request_id';
type Answer = Omit<SyncIngestRated, Envelope> | Omit<SyncIngestRejected, Envelope>;

/**
 * The single-event form of ingest: the event is queued exactly as a batch's are, then followed to its end: what
 * metering made of its record (`/usage/outcome`), then what invoicing rated it at with the customer's balances after
 * it (`/rated-usage/{id}`). Each service holds the question until it has the answer (`wait_ms`), so
 * the gateway hears of each step as it commits. Past the deadline the answer is 504: the event stays accepted, and
 * sending it again with the same idempotency_key answers `duplicate` with its cost.
 */
export async function ingestOne(
  deps: RouteDeps,
  caller: Caller,
  requestId: string,
  input: unknown,
  receivedAt: Date,
): Promise<Answer> {
  const parsed = parseFields(IngestOneBody, input);
  if (!parsed.success) throw ApiHttpError.validation(parsed.problems);
  const event = parsed.data;
  const [landed] = await queueEvents(deps, caller, requestId, [event], receivedAt, (_index, field) => field);
  if (landed?.baseOffset === undefined) throw new Error('the broker did not say where the event landed');
  const deadline = Date.now() + deps.commandTimeoutMs;
  const { metering, invoicing } = deps.services;
  const ask = <T>(service: InternalApi, question: Omit<ServiceQuestion<T>, 'tenant'>) =>
    askService(service, { ...question, tenant: caller, timeoutMs: Math.max(1, deadline - Date.now()) });

  const source = `${landed.topicName}/${landed.partition}/${landed.baseOffset}`;
  const waitMs = () => String(Math.max(0, deadline - Date.now() - answerMarginMs));
  const outcome = await untilAnswered(deadline, async () => {
    const query = { source, wait_ms: waitMs() };
    const answer = await ask(metering, { path: '/usage/outcome', query, answer: UsageOutcomeAnswer });
    return answer.outcome === 'pending' ? undefined : answer;
  });
  if (outcome.outcome === 'rejected')
    return { status: 'rejected', error: { code: outcome.reason_code, message: outcome.reason } };
  const rated = await untilAnswered(deadline, () =>
    ask(invoicing, {
      path: `/rated-usage/${outcome.usage_id}`,
      query: { wait_ms: waitMs() },
      answer: RatedUsageAnswer,
    }),
  );
  return {
    status: outcome.outcome === 'stored' ? 'processed' : 'duplicate',
    usage_id: outcome.usage_id,
    cost: rated.cost,
    customer_balances: rated.balances,
  };
}

/** A service stops waiting this long before the deadline, so its `pending` or 404 arrives before the request's. */
const answerMarginMs = 100;

/** Asks again (a service out of reach, or one that answered `pending` early) this far apart at first, then more. */
const firstPollMs = 2;
const maxPollMs = 16;

/**
 * Asks until there is an answer: undefined (not done yet), a 404 (not there yet) and a service out of reach are
 * asked again after a short, growing wait, until the deadline (504). Any other refusal is the caller's.
 */
async function untilAnswered<T>(deadline: number, ask: () => Promise<T | undefined>): Promise<T> {
  let wait = firstPollMs;
  for (;;) {
    try {
      const answer = await ask();
      if (answer !== undefined) return answer;
    } catch (error) {
      if (error instanceof ServiceRefusedError && error.status !== 404) throw new ApiHttpError(error.error);
      if (!(error instanceof ServiceRefusedError) && !(error instanceof ServiceUnavailableError)) throw error;
    }
    if (Date.now() + wait >= deadline)
      throw ApiHttpError.of(
        'TIMEOUT',
        'The event was accepted but not rated in time; send it again with the same idempotency_key to get its cost',
      );
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(maxPollMs, Math.ceil(wait * 1.5));
  }
}
