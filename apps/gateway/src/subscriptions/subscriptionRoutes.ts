import { ResourceId } from '@afternoon/contracts/common';
import { UpcomingInvoiceAnswer } from '@afternoon/contracts/invoices';
import {
  CancelSubscriptionBody,
  ChangeSubscriptionPlanBody,
  CreateSubscriptionBody,
  ListSubscriptionsQuery,
  SubscriptionAnswer,
  SubscriptionList,
  SubscriptionPlanChangeAnswer,
  UpdateSubscriptionBody,
} from '@afternoon/contracts/subscriptions';
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

/** `/v1/subscriptions`: writes are commands to invoicing-service, keyed by subscription; reads ask its read API. */
export function subscriptionRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.invoiceCommands;
  const invoicing = deps.services.invoicing;
  const subscriptionBody = (result: unknown) => SubscriptionAnswer.parse(result);

  router.post(
    '/v1/subscriptions',
    commandRoute(deps, (request) => {
      const body = validate(CreateSubscriptionBody, request.body);
      const subscriptionId = newResourceId();
      return {
        topic,
        key: subscriptionId,
        type: 'CreateSubscription',
        data: {
          subscription_id: subscriptionId,
          customer_id: body.customer_id,
          plan_code: body.plan_code,
          ...(body.start_date === undefined ? {} : { start_date: utc(body.start_date) }),
          ...(body.billing_anchor_day === undefined ? {} : { billing_anchor_day: body.billing_anchor_day }),
          initial_status: body.initial_status,
        },
        successStatus: 201,
        successBody: subscriptionBody,
      };
    }),
  );

  router.get('/v1/subscriptions', async (request, response) => {
    const query = validate(ListSubscriptionsQuery, request.query, 'query');
    const list = await queryService(invoicing, '/subscriptions', callerOf(response), SubscriptionList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  router.get('/v1/subscriptions/:id', async (request, response) => {
    const id = existingId(request.params.id);
    respond(
      response,
      200,
      await queryService(invoicing, `/subscriptions/${id}`, callerOf(response), SubscriptionAnswer),
    );
  });

  // Computed by invoicing from the plan, the period and metering's usage as of now; nothing is created.
  router.get('/v1/subscriptions/:id/upcoming_invoice', async (request, response) => {
    const id = existingId(request.params.id);
    const path = `/subscriptions/${id}/upcoming-invoice`;
    respond(response, 200, await queryService(invoicing, path, callerOf(response), UpcomingInvoiceAnswer));
  });

  router.patch(
    '/v1/subscriptions/:id',
    commandRoute(deps, (request) => {
      const id = existingId(request.params.id);
      const { next_renewal_date, ...changes } = validate(UpdateSubscriptionBody, request.body ?? {});
      return {
        topic,
        key: id,
        type: 'UpdateSubscription',
        data: {
          subscription_id: id,
          changes: {
            ...changes,
            ...(next_renewal_date === undefined
              ? {}
              : { next_renewal_date: next_renewal_date && utc(next_renewal_date) }),
          },
        },
        successStatus: 200,
        successBody: subscriptionBody,
      };
    }),
  );

  router.post(
    '/v1/subscriptions/:id/cancel',
    commandRoute(deps, (request) => {
      const id = existingId(request.params.id);
      const body = validate(CancelSubscriptionBody, request.body);
      return {
        topic,
        key: id,
        type: 'CancelSubscription',
        data: {
          subscription_id: id,
          cancel_mode: body.cancel_mode,
          ...(body.cancel_now_prepaid_refund_policy ? { refund_policy: body.cancel_now_prepaid_refund_policy } : {}),
        },
        successStatus: 200,
        successBody: subscriptionBody,
      };
    }),
  );

  // One command on the old subscription's stream; its event also starts the new subscription (see the report).
  router.post(
    '/v1/subscriptions/:id/change_plan',
    commandRoute(deps, (request) => {
      const id = existingId(request.params.id);
      const body = validate(ChangeSubscriptionPlanBody, request.body);
      return {
        topic,
        key: id,
        type: 'ChangeSubscriptionPlan',
        data: {
          subscription_id: id,
          new_subscription_id: newResourceId(),
          target_plan_code: body.target_plan_code,
          change_mode: body.change_mode,
          ...(body.cancel_now_prepaid_refund_policy ? { refund_policy: body.cancel_now_prepaid_refund_policy } : {}),
        },
        successStatus: 200,
        successBody: (result) => ({
          status: body.change_mode === 'now' ? 'completed' : 'scheduled',
          ...SubscriptionPlanChangeAnswer.parse(result),
        }),
      };
    }),
  );

  return router;
}

/** Instants travel in UTC, as every timestamp the platform stores. */
function utc(instant: string): string {
  return new Date(instant).toISOString();
}

const existingId = (value: string | undefined) => existingPathValue(value, ResourceId, 'subscription', 'id');
