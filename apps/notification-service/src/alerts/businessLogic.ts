import type { AlertEvent, CreateAlert, DeleteAlert } from '@afternoon/contracts/alerts';
import { ConflictError, type Decider, NotFoundError, type WithMetadata } from '@afternoon/service-kit';
import { type AlertState, evolve, initialState } from './alert';

export type AlertCommand = WithMetadata<CreateAlert> | WithMetadata<DeleteAlert>;

export function decide(command: AlertCommand, state: AlertState): AlertEvent[] {
  const now = command.metadata.issued_at;
  switch (command.type) {
    case 'CreateAlert':
      if (state.status !== 'absent') throw new ConflictError(`alert ${command.data.alert_id} already exists`, 'id');
      return [{ type: 'AlertCreated', data: { ...command.data, created_at: now } }];
    case 'DeleteAlert':
      if (state.status !== 'active') throw alertNotFound(command.data.alert_id);
      return [{ type: 'AlertDeleted', data: { alert_id: state.alert.id, deleted_at: now } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = { initialState, evolve, decide };

export function alertNotFound(alertId: string): NotFoundError {
  return new NotFoundError(`No such alert: '${alertId}'`, 'id');
}
