import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { projectionsOf, type RunningService, startService } from '@afternoon/service-kit';
import { customersSlice } from './customers';
import type { CustomerServiceEnv } from './env';

const customerSlices = [customersSlice];
export const customerProjections = projectionsOf(customerSlices);
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export function startCustomerService(env: CustomerServiceEnv): Promise<RunningService> {
  return startService({
    name: 'customer-service',
    env,
    migrationsDir,
    commands: {
      commandsTopic: Topics.customerCommands,
      deadLetterTopic: Topics.customerCommandsDeadLetter,
      eventsTopic: Topics.customerEvents,
      repliesTopic: Topics.gatewayReplies,
    },
    slices: customerSlices,
  });
}
