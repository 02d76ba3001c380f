import { PageQuery } from '@afternoon/contracts/common';
import type { CustomerScope } from '@afternoon/contracts/customers';
import { UsageOutcomeQuery } from '@afternoon/contracts/meteredUsage';
import {
  type CustomerUsageAnswer,
  type EventSummaryAnswer,
  EventSummaryQuery,
  ListUsageEventsQuery,
  UsageQuery,
} from '@afternoon/contracts/usage';
import {
  NotFoundError,
  type NotifiedWait,
  parseInput,
  responseClosed,
  type Tenant,
  tenantOf,
} from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { eventSummary, type IngestProgress } from './eventSummary';
import { customerUsage, listUsageEvents } from './getUsage';
import { listRejectedEvents } from './rejectedEvents';
import { awaitedUsageOutcome } from './usageOutcome';

export interface UsageRoutesDeps {
  pool: pg.Pool;
  /** Which of the ids are the tenant's customers, catching up on customer events before calling one unknown. */
  knownCustomers(tenant: Tenant, ids: string[], scope: CustomerScope): Promise<Set<string>>;
  ingestProgress: IngestProgress;
  /** Woken when the usage consumer commits outcomes. */
  outcomes: NotifiedWait;
}

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function usageRoutes({ pool, knownCustomers, ingestProgress, outcomes }: UsageRoutesDeps): Router {
  const router = Router();

  router.get('/usage-events', async (request, response) => {
    response.json(await listUsageEvents(pool, tenantOf(request), parseInput(ListUsageEventsQuery, request.query)));
  });

  router.get('/rejected-events', async (request, response) => {
    response.json(await listRejectedEvents(pool, tenantOf(request), parseInput(PageQuery.strict(), request.query)));
  });

  // The gateway's single-event ingest asks, after producing a record, what became of it, and waits for it.
  router.get('/usage/outcome', async (request, response) => {
    const { source, wait_ms } = parseInput(UsageOutcomeQuery, request.query);
    const wait = { waitMs: wait_ms ?? 0, signal: responseClosed(response) };
    response.json(await awaitedUsageOutcome(pool, outcomes, tenantOf(request), source, wait));
  });

  router.get('/events/summary', async (request, response) => {
    const query = parseInput(EventSummaryQuery, request.query);
    const summary = await eventSummary(pool, tenantOf(request), query, ingestProgress);
    response.json({ summary } satisfies EventSummaryAnswer);
  });

  router.get('/customers/:id/usage', async (request, response) => {
    const query = parseInput(UsageQuery, request.query);
    const tenant = tenantOf(request);
    const id = request.params.id;
    // Usage stays readable after the customer is deleted: its last period still gets billed.
    if (!(await knownCustomers(tenant, [id], 'ever')).has(id))
      throw new NotFoundError(`No such customer: '${id}'`, 'id');
    response.json({ usage: await customerUsage(pool, tenant, id, query) } satisfies CustomerUsageAnswer);
  });

  return router;
}
