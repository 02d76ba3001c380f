import {
  CreateMeterBody,
  Meter,
  MeterAnswer,
  MeterCode,
  MeterList,
  MeterTopCustomersAnswer,
  UpdateMeterBody,
} from '@afternoon/contracts/meters';
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

/** `/v1/meters`: definitions are commands to metering-service; reads and usage rankings ask its read API. */
export function meterRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.meterCommands;
  const metering = deps.services.metering;
  const meterBody = (meter: unknown) => ({ meter: Meter.parse(meter) });

  router.post(
    '/v1/meters',
    commandRoute(deps, (request) => {
      const definition = validate(CreateMeterBody, request.body);
      return {
        topic,
        key: definition.code,
        type: 'CreateMeter',
        data: { meter_id: newResourceId(), definition },
        successStatus: 201,
        successBody: meterBody,
      };
    }),
  );

  router.get('/v1/meters', async (request, response) => {
    respond(response, 200, await queryService(metering, '/meters', callerOf(response), MeterList, request.query));
  });

  router.get('/v1/meters/:code', async (request, response) => {
    const code = existingCode(request.params.code);
    respond(response, 200, await queryService(metering, `/meters/${code}`, callerOf(response), MeterAnswer));
  });

  router.get('/v1/meters/:code/usage', async (request, response) => {
    const code = existingCode(request.params.code);
    const path = `/meters/${code}/usage`;
    respond(
      response,
      200,
      await queryService(metering, path, callerOf(response), MeterTopCustomersAnswer, request.query),
    );
  });

  router.patch(
    '/v1/meters/:code',
    commandRoute(deps, (request) => {
      const code = existingCode(request.params.code);
      const changes = validate(UpdateMeterBody, request.body ?? {});
      return {
        topic,
        key: code,
        type: 'UpdateMeter',
        data: { code, changes },
        successStatus: 200,
        successBody: meterBody,
      };
    }),
  );

  router.post(
    '/v1/meters/:code/archive',
    commandRoute(deps, (request) => {
      const code = existingCode(request.params.code);
      return { topic, key: code, type: 'ArchiveMeter', data: { code }, successStatus: 200, successBody: meterBody };
    }),
  );

  return router;
}

const existingCode = (value: string | undefined) => existingPathValue(value, MeterCode, 'meter', 'code');
