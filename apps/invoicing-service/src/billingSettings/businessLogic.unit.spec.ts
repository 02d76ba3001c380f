import type { BillingSettingsEvent } from '@afternoon/contracts/billingSettings';
import { commandMetadata } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { evolve, initialState } from './billingSettings';
import { type BillingSettingsCommand, decide } from './businessLogic';

const at = '2026-11-24T12:00:00.000Z';
const defaults = { invoiceGracePeriodSeconds: 3600 };
const configure = (data: BillingSettingsCommand['data']): BillingSettingsCommand => ({
  type: 'ConfigureBilling',
  data,
  metadata: commandMetadata(at),
});
const usd = { type: 'currency', code: 'usd' } as const;
const gpu = { type: 'pricing_unit', code: 'gpu_sec' } as const;
const configured: BillingSettingsEvent = {
  type: 'BillingConfigured',
  data: { invoice_grace_period_seconds: 600, low_balance_thresholds: [], configured_at: at },
};
/** As recorded before thresholds existed. */
const configuredBeforeThresholds: BillingSettingsEvent = {
  type: 'BillingConfigured',
  data: { invoice_grace_period_seconds: 600, configured_at: at },
};

describe('billing settings decider', () => {
  it('records a new grace period, dated by the command, with the full settings after it', () => {
    expect(decide(configure({ invoice_grace_period_seconds: 600 }), initialState(), defaults)).toEqual([configured]);
    expect(
      decide(configure({ invoice_grace_period_seconds: 0 }), evolve(initialState(), configured), defaults),
    ).toEqual([
      {
        type: 'BillingConfigured',
        data: { invoice_grace_period_seconds: 0, low_balance_thresholds: [], configured_at: at },
      },
    ]);
  });

  it('records nothing when the setting is already what is asked', () => {
    expect(
      decide(configure({ invoice_grace_period_seconds: 600 }), evolve(initialState(), configured), defaults),
    ).toEqual([]);
    // An old event without thresholds reads as none set.
    const old = evolve(initialState(), configuredBeforeThresholds);
    expect(decide(configure({ low_balance_thresholds: [] }), old, defaults)).toEqual([]);
    expect(decide(configure({}), old, defaults)).toEqual([]);
  });

  it('keeps the grace period a command leaves out: the default before any was set, else the one set', () => {
    const thresholds = [
      { denomination: usd, amount: '500' },
      { denomination: gpu, amount: '12.50' },
    ];
    const normalized = [
      { denomination: usd, amount: '500' },
      { denomination: gpu, amount: '12.5' },
    ];
    expect(decide(configure({ low_balance_thresholds: thresholds }), initialState(), defaults)).toEqual([
      {
        type: 'BillingConfigured',
        data: { invoice_grace_period_seconds: 3600, low_balance_thresholds: normalized, configured_at: at },
      },
    ]);
    const state = evolve(initialState(), configuredBeforeThresholds);
    const [event] = decide(configure({ low_balance_thresholds: thresholds }), state, defaults);
    expect(event?.data).toEqual({
      invoice_grace_period_seconds: 600,
      low_balance_thresholds: normalized,
      configured_at: at,
    });
    // And the thresholds a command leaves out; the same amount written differently changes nothing.
    const withThresholds = evolve(state, event as BillingSettingsEvent);
    expect(decide(configure({ invoice_grace_period_seconds: 60 }), withThresholds, defaults)[0]?.data).toEqual({
      invoice_grace_period_seconds: 60,
      low_balance_thresholds: normalized,
      configured_at: at,
    });
    expect(decide(configure({ low_balance_thresholds: thresholds }), withThresholds, defaults)).toEqual([]);
  });
});
