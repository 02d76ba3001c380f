import { PageQuery, ResourceId } from '@afternoon/contracts/common';
import { ListUsageEventsQuery, UsageQuery } from '@afternoon/contracts/usage';
import { NotFoundError, type Tenant, tenantOf, ValidationError } from '@afternoon/service-kit';
import express, { Router } from 'express';
import type pg from 'pg';
import type { z } from 'zod';
import { knownCustomerIds } from '../customers/knownCustomers';
import { customerUsage, listUsageEvents } from './getUsage';
import { listRejectedEvents } from './rejectedEvents';

export interface UsageRoutesDeps {
  pool: pg.Pool;
  /** Catches the customers projection up to the end of the customer topic; false when it could not in time. */
  catchUpCustomers(): Promise<boolean>;
}

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function usageRoutes({ pool, catchUpCustomers }: UsageRoutesDeps): Router {
  const router = Router();
  // A customer created a moment ago may not have reached metering yet: catch up before calling one unknown.
  const knownCustomers = async (tenant: Tenant, ids: string[]) => {
    const known = await knownCustomerIds(pool, tenant, ids);
    if (ids.every((id) => known.has(id)) || !(await catchUpCustomers())) return known;
    return knownCustomerIds(pool, tenant, ids);
  };

  // Which of the given ids are this tenant's customers: the gateway checks a whole ingest batch in one call.
  router.post('/customers/known', express.json({ limit: '1mb' }), async (request, response) => {
    const ids = parse(ResourceId.array().max(1000), (request.body as { ids?: unknown } | undefined)?.ids);
    const known = await knownCustomers(tenantOf(request), ids);
    response.json({ known: [...known], unknown: ids.filter((id) => !known.has(id)) });
  });

  router.get('/usage-events', async (request, response) => {
    response.json(await listUsageEvents(pool, tenantOf(request), parse(ListUsageEventsQuery, request.query)));
  });

  router.get('/rejected-events', async (request, response) => {
    response.json(await listRejectedEvents(pool, tenantOf(request), parse(PageQuery.strict(), request.query)));
  });

  router.get('/customers/:id/usage', async (request, response) => {
    const query = parse(UsageQuery, request.query);
    const tenant = tenantOf(request);
    const id = request.params.id;
    if (!(await knownCustomers(tenant, [id])).has(id)) throw new NotFoundError(`No such customer: '${id}'`, 'id');
    response.json({ usage: await customerUsage(pool, tenant, id, query) });
  });

  return router;
}

function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new ValidationError(issue?.message ?? 'invalid query', issue?.path.map(String).join('.') || undefined);
}
