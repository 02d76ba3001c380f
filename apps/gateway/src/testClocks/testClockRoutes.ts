import {
  AdvanceTestClockBody,
  CreateTestClockBody,
  ListTestClocksQuery,
  TestClockAnswer,
  TestClockList,
} from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import { newResourceId } from '@afternoon/service-kit';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { existingTestClock } from './existingTestClock';

/**
 * `/v1/test_clocks` (test mode only, which invoicing-service enforces): clocks are commands to invoicing-service,
 * which owns billing time; an advance answers at once with `status: advancing`, and the clock reads `ready` once
 * everything it made due is done.
 */
export function testClockRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.invoiceCommands;
  const clockBody = (result: unknown) => TestClockAnswer.parse(result);

  router.post(
    '/v1/test_clocks',
    commandRoute(deps, (request) => {
      const body = validate(CreateTestClockBody, request.body);
      const testClockId = newResourceId();
      return {
        topic,
        key: testClockId,
        type: 'CreateTestClock',
        data: {
          test_clock_id: testClockId,
          name: body.name ?? null,
          frozen_time: new Date(body.frozen_time).toISOString(),
        },
        successStatus: 201,
        successBody: clockBody,
      };
    }),
  );

  router.get('/v1/test_clocks', async (request, response) => {
    const caller = callerOf(response);
    const query = validate(ListTestClocksQuery, request.query, 'query');
    const list = await queryService(deps.services.invoicing, '/test-clocks', caller, TestClockList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  router.get('/v1/test_clocks/:id', async (request, response) => {
    respond(response, 200, { test_clock: await existingTestClock(deps, callerOf(response), request.params.id, 'id') });
  });

  router.post(
    '/v1/test_clocks/:id/advance',
    commandRoute(deps, async (request, response) => {
      const clock = await existingTestClock(deps, callerOf(response), request.params.id ?? '', 'id');
      const body = validate(AdvanceTestClockBody, request.body);
      return {
        topic,
        key: clock.id,
        type: 'AdvanceTestClock',
        data: { test_clock_id: clock.id, frozen_time: new Date(body.frozen_time).toISOString() },
        successStatus: 200,
        successBody: clockBody,
      };
    }),
  );

  return router;
}
