import {
  BillingSettingsAnswer,
  type ConfigureBilling,
  type LowBalanceThresholdInput,
  UpdateBillingSettingsBody,
} from '@afternoon/contracts/billingSettings';
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
        data: configureBillingOf(validate(UpdateBillingSettingsBody, request.body ?? {})),
        successStatus: 200,
        successBody: (result) => BillingSettingsAnswer.parse(result),
      };
    }),
  );

  return router;
}

/** The command's data: each threshold named by its denomination, its amount the decimal string sent. */
function configureBillingOf(body: UpdateBillingSettingsBody): ConfigureBilling['data'] {
  const thresholdOf = (threshold: LowBalanceThresholdInput) => ({
    denomination:
      threshold.currency_code !== undefined
        ? { type: 'currency' as const, code: threshold.currency_code }
        : { type: 'pricing_unit' as const, code: threshold.pricing_unit_code ?? '' },
    amount: threshold.amount,
  });
  return {
    invoice_grace_period_seconds: body.invoice_grace_period_seconds,
    low_balance_thresholds: body.low_balance_thresholds?.map(thresholdOf),
  };
}
