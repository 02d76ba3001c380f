import { ListPricingUnitsQuery, type PricingUnitAnswer } from '@afternoon/contracts/pricingUnits';
import { parseInput, type RouteDeps, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { pricingUnitNotFound } from './businessLogic';
import { getPricingUnit, listPricingUnits } from './getPricingUnits';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function pricingUnitRoutes({ pool }: RouteDeps): Router {
  const router = Router();
  router.get('/pricing-units', async (request, response) => {
    response.json(await listPricingUnits(pool, tenantOf(request), parseInput(ListPricingUnitsQuery, request.query)));
  });
  router.get('/pricing-units/:code', async (request, response) => {
    const unit = await getPricingUnit(pool, tenantOf(request), request.params.code);
    if (!unit) throw pricingUnitNotFound(request.params.code);
    response.json({ pricing_unit: unit } satisfies PricingUnitAnswer);
  });
  return router;
}
