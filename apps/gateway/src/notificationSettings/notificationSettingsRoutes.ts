import { NotificationSettingsAnswer, UpdateNotificationSettingsBody } from '@afternoon/contracts/notificationSettings';
import { Topics } from '@afternoon/contracts/topics';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** `/v1/notification_settings`: the caller's organization's email settings (per mode), kept by notification-service. */
export function notificationSettingsRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/v1/notification_settings', async (_request, response) => {
    const settings = await queryService(
      deps.services.notifications,
      '/notification-settings',
      callerOf(response),
      NotificationSettingsAnswer,
    );
    respond(response, 200, settings);
  });

  router.patch(
    '/v1/notification_settings',
    commandRoute(deps, (request, response) => {
      const caller = callerOf(response);
      return {
        topic: Topics.notificationCommands,
        key: `${caller.organizationId}-${caller.mode}`,
        type: 'ConfigureNotifications',
        data: validate(UpdateNotificationSettingsBody, request.body ?? {}),
        successStatus: 200,
        successBody: (result) => NotificationSettingsAnswer.parse(result),
      };
    }),
  );

  return router;
}
