import { ResourceId } from '@afternoon/contracts/common';
import { BalancesQuery, CustomerBalancesAnswer } from '@afternoon/contracts/credits';
import { Router } from 'express';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** `GET /v1/customers/{id}/balances`: a customer's credit balances per denomination, now or `as_of` a past instant. */
export function balanceRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/v1/customers/:id/balances', async (request, response) => {
    const id = existingPathValue(request.params.id, ResourceId, 'customer', 'id');
    validate(BalancesQuery, request.query, 'query');
    const balances = await queryService(
      deps.services.invoicing,
      `/customers/${id}/balances`,
      callerOf(response),
      CustomerBalancesAnswer,
      request.query,
    );
    respond(response, 200, balances);
  });
  return router;
}
