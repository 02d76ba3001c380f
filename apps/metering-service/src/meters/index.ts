import { MeterCommand as MeterCommandSchema, MeterEvent, meterEventWireNames } from '@afternoon/contracts/meters';
import type { AggregateDefinition } from '@afternoon/service-kit';
import { type MeterCommand, meterDecider } from './businessLogic';
import { type MeterState, toMeter } from './meter';

export { meterRoutes } from './api';
export { metersProjection } from './getMeters';

/** One stream per (organization, mode, code): the code is what makes a meter unique, so it names the stream. */
export function meterStreamId(organizationId: string, mode: string, code: string): string {
  return `meter-${organizationId}-${mode}-${code}`;
}

export const meterAggregate: AggregateDefinition<MeterCommand, MeterEvent, MeterState> = {
  commandTypes: ['CreateMeter', 'UpdateMeter', 'ArchiveMeter'],
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
