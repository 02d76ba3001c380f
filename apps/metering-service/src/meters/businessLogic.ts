import type { ArchiveMeter, CreateMeter, MeterEvent, UpdateMeter } from '@afternoon/contracts/meters';
import {
  ConflictError,
  changedFields,
  type Decider,
  IllegalStateError,
  NotFoundError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { evolve, initialState, type MeterState } from './meter';

export type MeterCommand = WithMetadata<CreateMeter> | WithMetadata<UpdateMeter> | WithMetadata<ArchiveMeter>;

/**
 * A meter's code is its name for good: archiving keeps the code taken, so an invoice line that names a meter
 * always means the same measurement.
 */
export function decide(command: MeterCommand, state: MeterState): MeterEvent[] {
  const now = command.metadata.issued_at;
  switch (command.type) {
    case 'CreateMeter':
      if (state.status !== 'absent')
        throw new ConflictError(`a meter with code '${command.data.definition.code}' already exists`, 'code');
      return [
        {
          type: 'MeterCreated',
          data: { meter_id: command.data.meter_id, definition: command.data.definition, created_at: now },
        },
      ];
    case 'UpdateMeter': {
      const meter = activeMeter(state, command.data.code);
      const changes = changedFields(meter.definition, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'MeterUpdated', data: { meter_id: meter.id, changes, updated_at: now } }];
    }
    case 'ArchiveMeter':
      return [
        { type: 'MeterArchived', data: { meter_id: activeMeter(state, command.data.code).id, archived_at: now } },
      ];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const meterDecider: Decider<MeterCommand, MeterEvent, MeterState> = { initialState, evolve, decide };

export function meterNotFound(code: string): NotFoundError {
  return new NotFoundError(`No such meter: '${code}'`, 'code');
}

function activeMeter(state: MeterState, code: string): Extract<MeterState, { status: 'active' }> {
  if (state.status === 'absent') throw meterNotFound(code);
  if (state.status === 'archived') throw new IllegalStateError(`meter '${code}' is archived`);
  return state;
}
