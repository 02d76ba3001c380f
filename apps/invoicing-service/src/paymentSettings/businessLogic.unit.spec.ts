import type { PaymentSettingsEvent, PaymentsConfigured } from '@afternoon/contracts/paymentSettings';
import { ValidationError } from '@afternoon/service-kit';
import { commandMetadata } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { decide, type PaymentSettingsCommand } from './businessLogic';
import { evolve, initialState, type PaymentSettingsState } from './paymentSettings';

const at = '2026-12-05T12:00:00.000Z';
const configure = (data: PaymentSettingsCommand['data']): PaymentSettingsCommand => ({
  type: 'ConfigurePayments',
  data,
  metadata: commandMetadata(at),
});
// Sealed values as the gateway sends them: opaque here.
const secretKey = { sealed: 'v1:aaaaaaaaaaaaaaaaaaaaaa:bbbb:cccc', last4: '4242' };
const webhookSecret = 'v1:dddddddddddddddddddddd:eeee:ffff';
const publishableKey = 'pk_live_51H8x2LAbCdEfGh';
const stripe = { secret_key: secretKey, webhook_secret: webhookSecret, publishable_key: publishableKey };
const bank = { instructions: 'Pay by SEPA transfer within 14 days.', iban: 'DE89370400440532013000' };
const defaults: Omit<PaymentsConfigured['data'], 'configured_at'> = {
  stripe: null,
  bank_transfer: null,
  retry_schedule: { days_after_failure: [1, 3, 7] },
  after_final_failure: 'leave_open',
};
const configured = (data: Partial<typeof defaults>): PaymentSettingsEvent => ({
  type: 'PaymentsConfigured',
  data: { ...defaults, ...data, configured_at: at },
});
const given = (...events: PaymentSettingsEvent[]): PaymentSettingsState => events.reduce(evolve, initialState());

describe('payment settings decider', () => {
  it('records the full settings after the change, dated by the command, the defaults where nothing was set', () => {
    expect(decide(configure({ stripe }), initialState())).toEqual([configured({ stripe })]);
    expect(decide(configure({ after_final_failure: 'mark_uncollectible' }), initialState())).toEqual([
      configured({ after_final_failure: 'mark_uncollectible' }),
    ]);
    expect(decide(configure({}), initialState())).toEqual([]);
  });

  it('keeps what a command leaves out, and removes a provider set to null', () => {
    const both = given(configured({ stripe, bank_transfer: bank }));
    const retries = { days_after_failure: [2, 5] };
    expect(decide(configure({ retry_schedule: retries }), both)).toEqual([
      configured({ stripe, bank_transfer: bank, retry_schedule: retries }),
    ]);
    expect(decide(configure({ stripe: null }), both)).toEqual([configured({ bank_transfer: bank })]);
    expect(decide(configure({ bank_transfer: null }), both)).toEqual([configured({ stripe })]);
    // Bank transfer's details are replaced as a whole.
    const other = {
      instructions: 'Wire to our US account.',
      account_number: '000123456789',
      routing_number: '110000000',
    };
    expect(decide(configure({ bank_transfer: other }), both)).toEqual([configured({ stripe, bank_transfer: other })]);
  });

  it("merges Stripe's keys into those set: a secret need not be sent again", () => {
    const state = given(configured({ stripe }));
    const rotated = 'v1:gggggggggggggggggggggg:hhhh:iiii';
    expect(decide(configure({ stripe: { webhook_secret: rotated } }), state)).toEqual([
      configured({ stripe: { ...stripe, webhook_secret: rotated } }),
    ]);
    expect(decide(configure({ stripe: { publishable_key: 'pk_live_OtherKey123' } }), state)).toEqual([
      configured({ stripe: { ...stripe, publishable_key: 'pk_live_OtherKey123' } }),
    ]);
  });

  it('needs all three Stripe keys the first time, naming each one missing', () => {
    const refusal = (() => {
      try {
        decide(configure({ stripe: { publishable_key: publishableKey } }), initialState());
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).toApiError()).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'providers.stripe.secret_key',
      details: [{ param: 'providers.stripe.secret_key' }, { param: 'providers.stripe.webhook_secret' }],
    });
    // After Stripe was removed, it is set up anew.
    const removed = given(configured({ stripe }), configured({}));
    expect(() => decide(configure({ stripe: { webhook_secret: webhookSecret } }), removed)).toThrow(ValidationError);
  });

  it('records nothing when the settings are already what is asked, whatever the order of their fields', () => {
    const state = given(configured({ stripe, bank_transfer: bank, after_final_failure: 'mark_uncollectible' }));
    const reordered = { iban: bank.iban, instructions: bank.instructions };
    expect(decide(configure({ bank_transfer: reordered, after_final_failure: 'mark_uncollectible' }), state)).toEqual(
      [],
    );
    expect(decide(configure({ stripe: { publishable_key: publishableKey } }), state)).toEqual([]);
    expect(decide(configure({ retry_schedule: { days_after_failure: [1, 3, 7] } }), state)).toEqual([]);
    // A secret sent again is sealed anew: recorded, as nothing can tell it is the same.
    const resealed = { ...secretKey, sealed: 'v1:jjjjjjjjjjjjjjjjjjjjjj:kkkk:llll' };
    expect(decide(configure({ stripe: { secret_key: resealed } }), state)).toHaveLength(1);
  });
});
