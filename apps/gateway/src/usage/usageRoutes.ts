import { ResourceId } from '@afternoon/contracts/common';
import { EventSummaryQuery } from '@afternoon/contracts/usage';
import { Router } from 'express';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { answerOnce } from '../idempotency/answerOnce';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { ingestEvents } from './ingestEvents';

/** `/v1/events`: usage ingestion straight onto the ingest topic, reads from metering-service. */
export function usageRoutes(deps: RouteDeps): Router {
  const router = Router();
  const metering = deps.services.metering;

  router.post('/v1/events/ingest', async (request, response) => {
    const receivedAt = new Date();
    await answerOnce(deps, request, response, null, async () => {
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
    const list = (await queryService(metering, '/rejected-events', callerOf(response), request.query)) as Record<
      string,
      unknown
    >;
    respond(response, 200, list);
  });

  // What became of the caller's records the ingest topic received in [from, to): the ingest ledger.
  router.get('/v1/events/summary', async (request, response) => {
    const query = validate(EventSummaryQuery, request.query, 'query');
    const { summary } = (await queryService(metering, '/events/summary', callerOf(response), query)) as {
      summary: unknown;
    };
    respond(response, 200, { summary });
  });

  router.get('/v1/events', async (request, response) => {
    const list = (await queryService(metering, '/usage-events', callerOf(response), request.query)) as Record<
      string,
      unknown
    >;
    respond(response, 200, list);
  });

  router.get('/v1/customers/:id/usage', async (request, response) => {
    const id = request.params.id;
    existingPathValue(id, ResourceId, 'customer', 'id');
    // With a meter, the meter's aggregation over time; without, the raw count and sums.
    const path = typeof request.query.meter === 'string' ? 'meter-usage' : 'usage';
    const { usage } = (await queryService(metering, `/customers/${id}/${path}`, callerOf(response), request.query)) as {
      usage: unknown;
    };
    respond(response, 200, { usage });
  });

  return router;
}
