import {
  Alert,
  AlertAnswer,
  AlertList,
  CreateAlertBody,
  DeletedAlert,
  ListAlertsQuery,
} from '@afternoon/contracts/alerts';
import { ResourceId } from '@afternoon/contracts/common';
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
import { requireAlertableMeter, requireCustomer } from './alertSubjects';

/**
 * `/v1/alerts`: creates and deletes are commands to notification-service, keyed by alert; reads ask its read API.
 * The meter (metering) and the customer (customer-service) are checked here, before the command is sent.
 */
export function alertRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.notificationCommands;
  const notifications = deps.services.notifications;

  router.post(
    '/v1/alerts',
    commandRoute(deps, async (request, response) => {
      const body = validate(CreateAlertBody, request.body);
      const caller = callerOf(response);
      // The customer first: naming another organization's customer is a 404 whatever the meter.
      if (body.customer_id !== undefined) await requireCustomer(deps, caller, body.customer_id);
      await requireAlertableMeter(deps, caller, body.meter_code);
      const alertId = newResourceId();
      return {
        topic,
        key: alertId,
        type: 'CreateAlert',
        data: {
          alert_id: alertId,
          name: body.name ?? null,
          meter_code: body.meter_code,
          threshold: body.threshold,
          customer_id: body.customer_id ?? null,
          scope: body.scope,
        },
        successStatus: 201,
        successBody: (alert) => ({ alert: Alert.parse(alert) }),
      };
    }),
  );

  router.get('/v1/alerts', async (request, response) => {
    const query = validate(ListAlertsQuery, request.query, 'query');
    const list = await queryService(notifications, '/alerts', callerOf(response), AlertList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  router.get('/v1/alerts/:id', async (request, response) => {
    const id = existingId(request.params.id);
    respond(response, 200, await queryService(notifications, `/alerts/${id}`, callerOf(response), AlertAnswer));
  });

  router.delete(
    '/v1/alerts/:id',
    commandRoute(deps, (request) => {
      const id = existingId(request.params.id);
      return {
        topic,
        key: id,
        type: 'DeleteAlert',
        data: { alert_id: id },
        successStatus: 200,
        successBody: (alert) => ({ alert: DeletedAlert.parse(alert) }),
      };
    }),
  );

  return router;
}

const existingId = (value: string | undefined) => existingPathValue(value, ResourceId, 'alert', 'id');
