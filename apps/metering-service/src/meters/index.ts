import { MeterCommand as MeterCommandSchema, MeterEvent, meterEventWireNames } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { knownCustomersCatchingUp } from '../customers/knownCustomers';
import { usageConsumerName } from '../usage/meterUsage';
import { meterRoutes } from './api';
import { type MeterCommand, meterDecider } from './businessLogic';
import { metersProjection } from './getMeters';
import { usageHorizon } from './getMeterUsage/usageHorizon';
import { type MeterState, toMeter } from './meter';
import { startRollupBuilder } from './rollups/buildRollup';

/** One stream per (organization, mode, code): the code is what makes a meter unique, so it names the stream. */
export function meterStreamId(organizationId: string, mode: string, code: string): string {
  return `meter-${organizationId}-${mode}-${code}`;
}

export const meterAggregate: AggregateDefinition<MeterCommand, MeterEvent, MeterState> = {
  commandTypes: commandTypesOf(MeterCommandSchema),
  commandSchema: MeterCommandSchema,
  eventSchema: MeterEvent,
  eventWireNames: meterEventWireNames,
  streamId: (command) =>
    meterStreamId(
      command.metadata.organization_id,
      command.metadata.mode,
      command.type === 'CreateMeter' ? command.data.definition.code : command.data.code,
    ),
  decider: meterDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw new Error(`meter command ${command.type} left no meter`);
    return toMeter(state);
  },
};

/** Meters: their definitions as commands, the usage they count as reads, and the rollups kept current behind them. */
export const metersSlice: Slice = {
  name: 'meters',
  aggregates: [meterAggregate],
  projections: [metersProjection],
  routes: (deps) =>
    meterRoutes({
      pool: deps.pool,
      knownCustomers: knownCustomersCatchingUp(deps),
      processedThrough: async () => (await deps.processedThrough(usageConsumerName, Topics.usageIngest)).toISOString(),
      usageHorizon: usageHorizon(deps.kafka, deps.groupId(usageConsumerName), Topics.usageIngest),
    }),
  background: [({ pools, logger }) => startRollupBuilder({ pool: pools.background, logger })],
};
