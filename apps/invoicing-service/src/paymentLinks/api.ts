import type { CustomerPaymentProviderAnswer } from '@afternoon/contracts/paymentLinks';
import { tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { getCustomerPaymentProvider } from './getPaymentLinks';

/** Internal read route the gateway composes into `GET /v1/customers/{id}`, scoped to the tenant in the headers. */
export function paymentLinkRoutes(deps: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/customers/:id/payment-provider', async (request, response) => {
    const link = await getCustomerPaymentProvider(deps.pool, tenantOf(request), request.params.id);
    response.json({ payment_provider: link } satisfies CustomerPaymentProviderAnswer);
  });
  return router;
}
