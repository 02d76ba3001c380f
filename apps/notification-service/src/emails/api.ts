import type { InvoiceEmailList } from '@afternoon/contracts/invoiceEmails';
import type { NotificationSettingsAnswer } from '@afternoon/contracts/notificationSettings';
import { tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { listInvoiceEmails } from './getInvoiceEmails';
import { getNotificationSettings } from './settings/getNotificationSettings';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function emailRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/notification-settings', async (request, response) => {
    const settings = await getNotificationSettings(pool, tenantOf(request));
    response.json({ notification_settings: settings } satisfies NotificationSettingsAnswer);
  });
  // The gateway checks the invoice is the tenant's; an invoice never emailed has none.
  router.get('/invoices/:id/emails', async (request, response) => {
    const emails = await listInvoiceEmails(pool, tenantOf(request), request.params.id);
    response.json({ emails } satisfies InvoiceEmailList);
  });
  return router;
}
