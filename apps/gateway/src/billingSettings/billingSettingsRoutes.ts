import { BillingSettingsAnswer, UpdateBillingSettingsBody } from '@afternoon/contracts/billingSettings';
import { Topics } from '@afternoon/contracts/topics';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** `/v1/billing_settings`: the caller's organization's billing settings (per mode), kept by invoicing-service. */
export function billingSettingsRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/v1/billing_settings', async (_request, response) => {
    const path = '/billing-settings';
    respond(
      response,
      200,
      await queryService(deps.services.invoicing, path, callerOf(response), BillingSettingsAnswer),
    );
  });

  router.patch(
    '/v1/billing_settings',
    commandRoute(deps, (request, response) => {
      const caller = callerOf(response);
      return {
        topic: Topics.invoiceCommands,
        key: `${caller.organizationId}-${caller.mode}`,
        type: 'ConfigureBilling',
        data: validate(UpdateBillingSettingsBody, request.body ?? {}),
        successStatus: 200,
        successBody: (result) => BillingSettingsAnswer.parse(result),
      };
    }),
  );

  return router;
}
