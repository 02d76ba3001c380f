import { ResourceId } from '@afternoon/contracts/common';
import {
  type CreateCreditGrant,
  CreateCreditGrantBody,
  CreditGrantAnswer,
  CreditGrantList,
  ListCreditGrantsQuery,
} from '@afternoon/contracts/credits';
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

/**
 * `/v1/subscriptions/{id}/credit-grants`: grants and voids are commands to invoicing-service, keyed by grant (each
 * grant is a stream of its own); reads ask its read API. Invoicing checks the subscription and pricing unit exist.
 */
export function creditGrantRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.invoiceCommands;
  const invoicing = deps.services.invoicing;
  const grantBody = (result: unknown) => CreditGrantAnswer.parse(result);

  router.post(
    '/v1/subscriptions/:id/credit-grants',
    commandRoute(deps, (request) => {
      const subscriptionId = existingSubscriptionId(request.params.id);
      const body = validate(CreateCreditGrantBody, request.body);
      const grantId = newResourceId();
      return {
        topic,
        key: grantId,
        type: 'CreateCreditGrant',
        data: grantData(grantId, subscriptionId, body),
        successStatus: 201,
        successBody: grantBody,
      };
    }),
  );

  router.get('/v1/subscriptions/:id/credit-grants', async (request, response) => {
    const subscriptionId = existingSubscriptionId(request.params.id);
    const query = validate(ListCreditGrantsQuery, request.query, 'query');
    const path = `/subscriptions/${subscriptionId}/credit-grants`;
    const list = await queryService(invoicing, path, callerOf(response), CreditGrantList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  router.get('/v1/subscriptions/:id/credit-grants/:grant_id', async (request, response) => {
    const subscriptionId = existingSubscriptionId(request.params.id);
    const grantId = existingGrantId(request.params.grant_id);
    const path = `/subscriptions/${subscriptionId}/credit-grants/${grantId}`;
    respond(response, 200, await queryService(invoicing, path, callerOf(response), CreditGrantAnswer));
  });

  // The remainder at the void (what the ledger has not drawn) is removed from the balance.
  router.post(
    '/v1/subscriptions/:id/credit-grants/:grant_id/void',
    commandRoute(deps, (request) => {
      const subscriptionId = existingSubscriptionId(request.params.id);
      const grantId = existingGrantId(request.params.grant_id);
      return {
        topic,
        key: grantId,
        type: 'VoidCreditGrant',
        data: { grant_id: grantId, subscription_id: subscriptionId },
        successStatus: 200,
        successBody: grantBody,
      };
    }),
  );

  return router;
}

/** The command for a validated body: one denomination, instants in UTC, a priority and metadata always given. */
function grantData(grantId: string, subscriptionId: string, body: CreateCreditGrantBody): CreateCreditGrant['data'] {
  const denomination =
    body.pricing_unit_code === undefined
      ? { type: 'currency' as const, code: body.currency_code ?? '' }
      : { type: 'pricing_unit' as const, code: body.pricing_unit_code };
  return {
    grant_id: grantId,
    subscription_id: subscriptionId,
    name: body.name,
    amount: body.amount,
    denomination,
    ...(body.effective_at === undefined ? {} : { effective_at: utc(body.effective_at) }),
    expires_at: body.expires_at ? utc(body.expires_at) : null,
    priority: body.priority ?? 0,
    metadata: body.metadata ?? {},
  };
}

/** Instants travel in UTC, as every timestamp the platform stores. */
function utc(instant: string): string {
  return new Date(instant).toISOString();
}

const existingSubscriptionId = (value: string | undefined) =>
  existingPathValue(value, ResourceId, 'subscription', 'id');
const existingGrantId = (value: string | undefined) => existingPathValue(value, ResourceId, 'credit grant', 'grant_id');
