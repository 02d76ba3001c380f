import { CreatePlanBody, Plan, PlanAnswer, PlanCode, PlanList, RevisePlanBody } from '@afternoon/contracts/plans';
import { Topics } from '@afternoon/contracts/topics';
import { newResourceId } from '@afternoon/service-kit';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** `/v1/plans`: definitions are commands to invoicing-service; reads ask its read API. */
export function planRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.invoiceCommands;
  const invoicing = deps.services.invoicing;
  const planBody = (plan: unknown) => ({ plan: Plan.parse(plan) });

  router.post(
    '/v1/plans',
    commandRoute(deps, (request) => {
      const body = validate(CreatePlanBody, request.body);
      const definition = {
        code: body.code,
        name: body.name,
        currency: body.currency,
        interval: body.interval,
        prices: body.prices.map((price) => ({ ...price, id: newResourceId() })),
        minimum_amount_cents: body.minimum_amount_cents ?? null,
      };
      return {
        topic,
        key: body.code,
        type: 'CreatePlan',
        data: { plan_id: newResourceId(), definition },
        successStatus: 201,
        successBody: planBody,
      };
    }),
  );

  router.get('/v1/plans', async (request, response) => {
    respond(response, 200, await queryService(invoicing, '/plans', callerOf(response), PlanList, request.query));
  });

  router.get('/v1/plans/:code', async (request, response) => {
    const code = existingCode(request.params.code);
    respond(
      response,
      200,
      await queryService(invoicing, `/plans/${code}`, callerOf(response), PlanAnswer, request.query),
    );
  });

  router.patch(
    '/v1/plans/:code',
    commandRoute(deps, (request) => {
      const code = existingCode(request.params.code);
      const { prices: revised, ...changes } = validate(RevisePlanBody, request.body ?? {});
      const prices = revised?.map((price) => ({ ...price, id: price.id ?? newResourceId() }));
      return {
        topic,
        key: code,
        type: 'RevisePlan',
        data: { code, changes: { ...changes, ...(prices ? { prices } : {}) } },
        successStatus: 200,
        successBody: planBody,
      };
    }),
  );

  router.post(
    '/v1/plans/:code/archive',
    commandRoute(deps, (request) => {
      const code = existingCode(request.params.code);
      return { topic, key: code, type: 'ArchivePlan', data: { code }, successStatus: 200, successBody: planBody };
    }),
  );

  return router;
}

const existingCode = (value: string | undefined) => existingPathValue(value, PlanCode, 'plan', 'code');
