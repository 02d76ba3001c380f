import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { consumedTopics, projectionsOf, type RunningService, startService } from '@afternoon/service-kit';
import { customersSlice } from './customers';
import type { MeteringServiceEnv } from './env';
import { metersSlice } from './meters';
import { usageSlice } from './usage';

export const meteringServiceName = 'metering-service';
const meteringSlices = [customersSlice, usageSlice, metersSlice];
export const meteringProjections = projectionsOf(meteringSlices);
/** What each of metering's consumers reads; replaying these from the start derives its tables again. */
export const meteringConsumedTopics = consumedTopics(meteringSlices);
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
/** A new tenant's first events must not stay unseen by the planner in a large `usage_events` (ADR 0039). */
export const meteringTableMaintenance = { newTenantsSeenIn: ['usage_events'] };

/** Meters usage: the ingest topic into `usage_events` once per idempotency key, meters, and the reads over them. */
export function startMeteringService(env: MeteringServiceEnv): Promise<RunningService> {
  return startService({
    name: meteringServiceName,
    env,
    migrationsDir,
    commands: {
      commandsTopic: Topics.meterCommands,
      deadLetterTopic: Topics.meterCommandsDeadLetter,
      eventsTopic: Topics.meterEvents,
      repliesTopic: Topics.gatewayReplies,
    },
    slices: meteringSlices,
    tableMaintenance: meteringTableMaintenance,
  });
}
