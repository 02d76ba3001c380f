import type { BillingSettingsEvent } from '@afternoon/contracts/billingSettings';
import { commandMetadata } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { evolve, initialState } from './billingSettings';
import { decide } from './businessLogic';

const at = '2026-11-24T12:00:00.000Z';
const configure = (seconds: number) =>
  ({
    type: 'ConfigureBilling',
    data: { invoice_grace_period_seconds: seconds },
    metadata: commandMetadata(at),
  }) as const;
const configured: BillingSettingsEvent = {
  type: 'BillingConfigured',
  data: { invoice_grace_period_seconds: 600, configured_at: at },
};

describe('billing settings decider', () => {
  it('records a new grace period, dated by the command', () => {
    expect(decide(configure(600), initialState())).toEqual([configured]);
    expect(decide(configure(0), evolve(initialState(), configured))).toEqual([
      { type: 'BillingConfigured', data: { invoice_grace_period_seconds: 0, configured_at: at } },
    ]);
  });

  it('records nothing when the setting is already what is asked', () => {
    expect(decide(configure(600), evolve(initialState(), configured))).toEqual([]);
  });
});
