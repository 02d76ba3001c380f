import type { Alert, AlertEvent } from '@afternoon/contracts/alerts';

export type AlertState = { status: 'absent' } | { status: 'active'; alert: Alert } | { status: 'deleted'; id: string };

export function initialState(): AlertState {
  return { status: 'absent' };
}

export function evolve(state: AlertState, event: AlertEvent): AlertState {
  switch (event.type) {
    case 'AlertCreated': {
      const { alert_id, created_at, ...terms } = event.data;
      return { status: 'active', alert: { id: alert_id, ...terms, created_at } };
    }
    case 'AlertDeleted':
      return { status: 'deleted', id: event.data.alert_id };
    // A notice changes nothing about the alert itself.
    case 'AlertThresholdReached':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
