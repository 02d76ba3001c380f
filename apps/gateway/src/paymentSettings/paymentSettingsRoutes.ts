import { PaymentSettingsAnswer, UpdatePaymentSettingsBody } from '@afternoon/contracts/paymentSettings';
import { Topics } from '@afternoon/contracts/topics';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { configurePaymentsOf } from './sealedPaymentSettings';

/**
 * `/v1/payment_settings`: the caller's organization's payment settings (per mode), kept by invoicing-service. Stripe's
 * secrets are write-only: sealed here before the command is sent, never answered.
 */
export function paymentSettingsRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/v1/payment_settings', async (_request, response) => {
    const path = '/payment-settings';
    respond(
      response,
      200,
      await queryService(deps.services.invoicing, path, callerOf(response), PaymentSettingsAnswer),
    );
  });

  router.patch(
    '/v1/payment_settings',
    commandRoute(deps, (request, response) => {
      const caller = callerOf(response);
      const body = validate(UpdatePaymentSettingsBody, request.body ?? {});
      return {
        topic: Topics.invoiceCommands,
        key: `${caller.organizationId}-${caller.mode}`,
        type: 'ConfigurePayments',
        data: configurePaymentsOf(body, caller, deps.paymentSecretsKey),
        successStatus: 200,
        successBody: (result) => PaymentSettingsAnswer.parse(result),
      };
    }),
  );

  return router;
}
