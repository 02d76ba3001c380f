import type { BillingSettingsAnswer } from '@afternoon/contracts/billingSettings';
import { tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { getBillingSettings } from './getBillingSettings';

/** Internal read route the gateway calls, scoped to the tenant in the request headers. */
export function billingSettingsRoutes(deps: { pool: pg.Pool; invoiceGracePeriodSeconds: number }): Router {
  const router = Router();
  router.get('/billing-settings', async (request, response) => {
    const billingSettings = await getBillingSettings(deps.pool, tenantOf(request), deps);
    response.json({ billing_settings: billingSettings } satisfies BillingSettingsAnswer);
  });
  return router;
}
