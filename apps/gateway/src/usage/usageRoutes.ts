import { ResourceId } from '@afternoon/contracts/common';
import { CustomerMeterUsageAnswer, meterUsageOf } from '@afternoon/contracts/meterUsageAnswer';
import {
  CustomerUsageAnswer,
  EventSummaryAnswer,
  EventSummaryQuery,
  RejectedEventList,
  UsageEventList,
} from '@afternoon/contracts/usage';
import { Router } from 'express';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { answerOnce } from '../idempotency/answerOnce';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { ingestEvents } from './ingestEvents';
import { ingestOne } from './ingestOne';

/** `/v1/events`: usage ingestion straight onto the ingest topic, reads from metering-service. */
export function usageRoutes(deps: RouteDeps): Router {
  const router = Router();
  const metering = deps.services.metering;

  router.post('/v1/events/ingest', async (request, response) => {
    const receivedAt = new Date();
    await answerOnce(deps, request, response, null, async () => {
      if (isOneEvent(request.body)) {
        const answer = await ingestOne(deps, callerOf(response), response.locals.requestId, request.body, receivedAt);
        return { status: 200, body: { success: true, ...answer, request_id: response.locals.requestId } };
      }
      const accepted = await ingestEvents(
        deps,
        callerOf(response),
        response.locals.requestId,
        request.body,
        receivedAt,
      );
      return { status: 200, body: { success: true, accepted, request_id: response.locals.requestId } };
    });
  });

  router.get('/v1/events/rejected', async (request, response) => {
    const list = await queryService(metering, '/rejected-events', callerOf(response), RejectedEventList, request.query);
    respond(response, 200, list);
  });

  // What became of the caller's records the ingest topic received in [from, to): the ingest ledger.
  router.get('/v1/events/summary', async (request, response) => {
    const query = validate(EventSummaryQuery, request.query, 'query');
    respond(
      response,
      200,
      await queryService(metering, '/events/summary', callerOf(response), EventSummaryAnswer, query),
    );
  });

  router.get('/v1/events', async (request, response) => {
    respond(
      response,
      200,
      await queryService(metering, '/usage-events', callerOf(response), UsageEventList, request.query),
    );
  });

  router.get('/v1/customers/:id/usage', async (request, response) => {
    const id = request.params.id;
    existingPathValue(id, ResourceId, 'customer', 'id');
    // With a meter, the meter's aggregation over time; without, the raw count and sums.
    const caller = callerOf(response);
    if (typeof request.query.meter !== 'string') {
      const usage = await queryService(metering, `/customers/${id}/usage`, caller, CustomerUsageAnswer, request.query);
      respond(response, 200, usage);
      return;
    }
    const path = `/customers/${id}/meter-usage`;
    const { usage } = await queryService(metering, path, caller, CustomerMeterUsageAnswer, request.query);
    // Metering names its windows' values; their bounds follow from the question (ADR 0053).
    respond(response, 200, { usage: meterUsageOf(usage) });
  });

  return router;
}

/** The single-event form: one event as the body itself, an object without an `events` array. */
function isOneEvent(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !('events' in body);
}
