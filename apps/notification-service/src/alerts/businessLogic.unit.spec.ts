import type { AlertEvent } from '@afternoon/contracts/alerts';
import { ConflictError, NotFoundError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, it } from 'vitest';
import { evolve, initialState } from './alert';
import { type AlertCommand, decide } from './businessLogic';

const alertId = 'cmalert000000000000000001';
const createdAt = '2026-01-15T10:30:00.000Z';
const later = '2026-01-16T08:00:00.000Z';
const terms = {
  alert_id: alertId,
  name: 'API calls',
  meter_code: 'api_calls',
  threshold: '1000',
  customer_id: null,
  scope: 'billing_period' as const,
};

const { given } = deciderSpec({ decide, evolve, initialState });
const created: AlertEvent = { type: 'AlertCreated', data: { ...terms, created_at: createdAt } };
const create: AlertCommand = { type: 'CreateAlert', data: terms, metadata: commandMetadata(createdAt) };
const remove: AlertCommand = { type: 'DeleteAlert', data: { alert_id: alertId }, metadata: commandMetadata(later) };
const reached: AlertEvent = {
  type: 'AlertThresholdReached',
  data: {
    alert_id: alertId,
    customer_id: 'cmalertcustomer0000000001',
    meter_code: 'api_calls',
    threshold: '1000',
    value: '1000',
    period_start: null,
    period_end: null,
    usage_id: 'cmusage000000000000000001',
    occurred_at: later,
  },
};

describe('alert decider', () => {
  it('creates an alert dated by the command', () => {
    given([]).when(create).thenEmits([created]);
  });

  it('refuses to create the same alert twice', () => {
    given([created]).when(create).thenThrows(ConflictError);
  });

  it('deletes a live alert, notices or not', () => {
    const deleted: AlertEvent = { type: 'AlertDeleted', data: { alert_id: alertId, deleted_at: later } };
    given([created]).when(remove).thenEmits([deleted]);
    given([created, reached]).when(remove).thenEmits([deleted]);
  });

  it('refuses to delete an alert that does not exist or was deleted', () => {
    given([]).when(remove).thenThrows(NotFoundError);
    given([created, { type: 'AlertDeleted', data: { alert_id: alertId, deleted_at: later } }])
      .when(remove)
      .thenThrows(NotFoundError);
  });
});
