import type { PaymentSettingsAnswer } from '@afternoon/contracts/paymentSettings';
import { tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { getPaymentSettings } from './getPaymentSettings';

/** Internal read route the gateway calls, scoped to the tenant in the request headers. */
export function paymentSettingsRoutes(deps: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/payment-settings', async (request, response) => {
    const paymentSettings = await getPaymentSettings(deps.pool, tenantOf(request));
    response.json({ payment_settings: paymentSettings } satisfies PaymentSettingsAnswer);
  });
  return router;
}
