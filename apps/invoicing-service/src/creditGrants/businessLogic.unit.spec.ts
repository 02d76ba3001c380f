import type { CreditGrantEvent, Denomination } from '@afternoon/contracts/credits';
import { ConflictError, IllegalStateError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type CreditGrantCommand, decide } from './businessLogic';
import { consumedPerStream, evolve, initialState, toCreditGrant } from './creditGrant';

const grantId = 'cg5x9z8nv0000h85r7l9p2k1m';
const subscriptionId = 'su5x9z8nv0000h85r7l9p2k1m';
const customerId = 'cu5x9z8nv0000h85r7l9p2k1m';
const createdAt = '2026-01-15T10:30:00.000Z';
const expiresAt = '2026-02-15T00:00:00.000Z';
const later = '2026-01-20T00:00:00.000Z';
const usd: Denomination = { type: 'currency', code: 'usd' };
const gpu: Denomination = { type: 'pricing_unit', code: 'gpu_sec' };

const { given } = deciderSpec({ decide, evolve, initialState });

type Create = Extract<CreditGrantCommand, { type: 'CreateCreditGrant' }>;
const create = (changes: Partial<Create['data']> = {}): CreditGrantCommand => ({
  type: 'CreateCreditGrant',
  data: {
    grant_id: grantId,
    subscription_id: subscriptionId,
    name: 'Welcome credits',
    amount: '10000',
    denomination: usd,
    expires_at: expiresAt,
    priority: 0,
    metadata: {},
    customer_id: customerId,
    effective_at: createdAt,
    subscription_status: 'active',
    ...changes,
  },
  metadata: commandMetadata(createdAt),
});
const created = (changes: Partial<Extract<CreditGrantEvent, { type: 'CreditGrantCreated' }>['data']> = {}) =>
  ({
    type: 'CreditGrantCreated',
    data: {
      grant_id: grantId,
      subscription_id: subscriptionId,
      customer_id: customerId,
      name: 'Welcome credits',
      amount: '10000',
      denomination: usd,
      priority: 0,
      effective_at: createdAt,
      expires_at: expiresAt,
      metadata: {},
      created_at: createdAt,
      ...changes,
    },
  }) satisfies CreditGrantEvent;
const voidGrant = (remaining: string | null, subscription = subscriptionId): CreditGrantCommand => ({
  type: 'VoidCreditGrant',
  data: { grant_id: grantId, subscription_id: subscription, remaining },
  metadata: commandMetadata(later),
});
const expire = (remaining: string | null, at: string): CreditGrantCommand => ({
  type: 'ExpireCreditGrant',
  data: { grant_id: grantId, remaining },
  metadata: commandMetadata(at),
});
const voided: CreditGrantEvent = {
  type: 'CreditGrantVoided',
  data: { grant_id: grantId, customer_id: customerId, voided_amount: '7500', voided_at: later },
};
const expired: CreditGrantEvent = {
  type: 'CreditGrantExpired',
  data: { grant_id: grantId, customer_id: customerId, expired_amount: '7500', expired_at: expiresAt },
};

describe('credit grant decider', () => {
  it('grants in a currency or a pricing unit, with the amount canonical', () => {
    given([]).when(create()).thenEmits([created()]);
    given([])
      .when(create({ amount: '12.500', denomination: gpu, expires_at: null }))
      .thenEmits([created({ amount: '12.5', denomination: gpu, expires_at: null })]);
  });

  it('refuses a fractional currency amount, a non-positive amount, and an expiry not after the start', () => {
    given([])
      .when(create({ amount: '10.5' }))
      .thenThrows(ValidationError, expect.objectContaining({ param: 'amount' }));
    given([])
      .when(create({ amount: '0.000', denomination: gpu }))
      .thenThrows(ValidationError, expect.objectContaining({ param: 'amount' }));
    given([])
      .when(create({ expires_at: createdAt }))
      .thenThrows(ValidationError, expect.objectContaining({ param: 'expires_at' }));
  });

  it('refuses a grant on a canceled subscription, and a grant id used before', () => {
    given([])
      .when(create({ subscription_status: 'canceled' }))
      .thenThrows(IllegalStateError);
    given([created()]).when(create()).thenThrows(ConflictError);
  });

  it('voids what the ledger says remains, once, and only under its own subscription', () => {
    // 10000 granted, 2500 drawn by rating: 10000 − 2500 = 7500 remain and are voided.
    given([created()]).when(voidGrant('7500.000')).thenEmits([voided]);
    given([created(), voided])
      .when(voidGrant('0'))
      .thenThrows(IllegalStateError, /already voided/);
    given([created(), expired])
      .when(voidGrant('0'))
      .thenThrows(IllegalStateError, /already expired/);
    given([created()])
      .when(voidGrant('7500', 'su5x9z8nv0000h85r7l9p2k2m'))
      .thenThrows(NotFoundError, expect.objectContaining({ param: 'grant_id' }));
    given([]).when(voidGrant(null)).thenThrows(NotFoundError);
  });

  it('refuses to void a grant past its expires_at: what remained expired then, not at the void', () => {
    given([created({ expires_at: '2026-01-20T00:00:00.000Z' })])
      .when(voidGrant('7500'))
      .thenThrows(IllegalStateError, /expired at 2026-01-20T00:00:00.000Z/);
  });

  it('expires what remains at expires_at, exactly once, and not before', () => {
    given([created()]).when(expire('7500', expiresAt)).thenEmits([expired]);
    given([created()]).when(expire('7500', later)).thenThrows(IllegalStateError);
    given([created({ expires_at: null })])
      .when(expire('7500', expiresAt))
      .thenThrows(IllegalStateError);
    given([created(), expired]).when(expire('0', expiresAt)).thenEmits([]);
    given([created(), voided]).when(expire('0', expiresAt)).thenEmits([]);
  });

  it('answers with the amounts the stream implies: integers for a currency, decimal strings for a pricing unit', () => {
    const state = [created(), voided].reduce(evolve, initialState());
    if (state.status === 'absent') throw new Error('the grant should exist');
    // Voided 7500 of 10000: consumed 10000 − 7500 = 2500, nothing remains.
    expect(toCreditGrant(state, consumedPerStream(state))).toMatchObject({
      status: 'voided',
      amount: 10000,
      granted: 10000,
      consumed: 2500,
      voided: 7500,
      expired: 0,
      remaining: 0,
      currency_code: 'usd',
      pricing_unit_code: null,
      voided_at: later,
    });
    const units = evolve(initialState(), created({ amount: '12.5', denomination: gpu }));
    if (units.status === 'absent') throw new Error('the grant should exist');
    // 12.5 granted, 0.25 drawn: 12.5 − 0.25 = 12.25 remain.
    expect(toCreditGrant(units, '0.250')).toMatchObject({
      amount: '12.5',
      consumed: '0.25',
      remaining: '12.25',
      pricing_unit_code: 'gpu_sec',
      currency_code: null,
    });
  });
});
