import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { type RunningService, startService } from '@afternoon/service-kit';
import { customerAggregate, customerRoutes, customersProjection } from './customers';
import type { CustomerServiceEnv } from './env';

export const customerProjections = [customersProjection];
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export function startCustomerService(env: CustomerServiceEnv): Promise<RunningService> {
  return startService({
    name: 'customer-service',
    env,
    migrationsDir,
    topics: [Topics.customerCommands, Topics.customerEvents, Topics.customerCommandsDeadLetter, Topics.gatewayReplies],
    commands: {
      commandsTopic: Topics.customerCommands,
      deadLetterTopic: Topics.customerCommandsDeadLetter,
      eventsTopic: Topics.customerEvents,
      repliesTopic: Topics.gatewayReplies,
      aggregates: [customerAggregate],
    },
    projections: customerProjections,
    routes: (deps) => [customerRoutes(deps)],
  });
}
