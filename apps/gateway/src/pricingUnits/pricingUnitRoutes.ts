import {
  CreatePricingUnitBody,
  ListPricingUnitsQuery,
  PricingUnitAnswer,
  PricingUnitCode,
  PricingUnitList,
} from '@afternoon/contracts/pricingUnits';
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

/** `/v1/pricing_units`: denominations are commands to invoicing-service, keyed by code; reads ask its read API. */
export function pricingUnitRoutes(deps: RouteDeps): Router {
  const router = Router();
  const invoicing = deps.services.invoicing;

  router.post(
    '/v1/pricing_units',
    commandRoute(deps, (request) => {
      const body = validate(CreatePricingUnitBody, request.body);
      return {
        topic: Topics.invoiceCommands,
        key: body.code,
        type: 'CreatePricingUnit',
        data: {
          pricing_unit_id: newResourceId(),
          code: body.code,
          name: body.name,
          currency_conversion: body.currency_conversion ?? null,
        },
        successStatus: 201,
        successBody: (result) => PricingUnitAnswer.parse(result),
      };
    }),
  );

  router.get('/v1/pricing_units', async (request, response) => {
    const query = validate(ListPricingUnitsQuery, request.query, 'query');
    const list = await queryService(invoicing, '/pricing-units', callerOf(response), PricingUnitList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  router.get('/v1/pricing_units/:code', async (request, response) => {
    const code = existingPathValue(request.params.code, PricingUnitCode, 'pricing unit', 'code');
    respond(
      response,
      200,
      await queryService(invoicing, `/pricing-units/${code}`, callerOf(response), PricingUnitAnswer),
    );
  });

  return router;
}
