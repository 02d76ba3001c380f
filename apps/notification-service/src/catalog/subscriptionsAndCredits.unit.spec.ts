import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import { newResourceId } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { inMemoryCatalog } from './test/inMemoryCatalog';
import { sourceStream, subscriptionTerms } from './test/sourceRecords';

const tenant = { organizationId: 'org_catalog', mode: 'test' as const };
const types = (events: WebhookEvent[]) => events.map((event) => event.type);

describe('subscription events', () => {
  it('become subscription.created, subscription.updated for each change, and subscription.canceled', () => {
    const translate = inMemoryCatalog();
    const [id, customerId] = [newResourceId(), newResourceId()];
    const subscription = sourceStream(tenant, id);
    const [created] = translate(subscription('SubscriptionCreated', subscriptionTerms(id, customerId)));
    expect(created).toMatchObject({
      type: 'subscription.created',
      mode: 'test',
      data: { id, customer_id: customerId, plan_code: 'pro', status: 'pending', cancel_at_period_end: false },
    });
    const [activated] = translate(
      subscription('SubscriptionActivated', { subscription_id: id, activated_at: '2026-03-01T00:00:00.000Z' }),
    );
    expect(activated).toMatchObject({ type: 'subscription.updated', data: { status: 'active' } });
    const rescheduled = { billing_anchor_day: 15, schedule_start: '2026-03-15T00:00:00.000Z' };
    const [updated] = translate(
      subscription('SubscriptionUpdated', { subscription_id: id, rescheduled, updated_at: '2026-03-02T00:00:00.000Z' }),
    );
    expect(updated).toMatchObject({ type: 'subscription.updated', data: { billing_anchor_day: 15 } });
    const cancelAt = '2026-04-15T00:00:00.000Z';
    const [scheduled] = translate(
      subscription('SubscriptionCancelScheduled', {
        subscription_id: id,
        cancel_at: cancelAt,
        scheduled_at: '2026-03-03T00:00:00.000Z',
      }),
    );
    expect(scheduled).toMatchObject({
      type: 'subscription.updated',
      data: { cancel_at_period_end: true, cancel_at: cancelAt },
    });
    const [canceled] = translate(
      subscription('SubscriptionCanceled', {
        subscription_id: id,
        refund_policy: null,
        canceled_at: '2026-03-04T00:00:00.000Z',
      }),
    );
    expect(canceled).toMatchObject({
      type: 'subscription.canceled',
      data: { status: 'canceled', canceled_at: '2026-03-04T00:00:00.000Z', cancel_at: null },
    });
  });

  it('announce the subscription a plan change makes at the change, not again when its own stream starts', () => {
    const translate = inMemoryCatalog();
    const [oldId, newId, customerId] = [newResourceId(), newResourceId(), newResourceId()];
    const old = sourceStream(tenant, oldId);
    translate(old('SubscriptionCreated', subscriptionTerms(oldId, customerId)));
    const successor = { ...subscriptionTerms(newId, customerId, oldId), plan_code: 'scale' };
    const changed = translate(
      old('SubscriptionPlanChanged', {
        subscription_id: oldId,
        change_mode: 'now',
        refund_policy: 'refund_prorated',
        canceled_at: '2026-03-10T00:00:00.000Z',
        cancel_at: null,
        new_subscription: successor,
        changed_at: '2026-03-10T00:00:00.000Z',
      }),
    );
    expect(types(changed)).toEqual(['subscription.canceled', 'subscription.created']);
    expect(changed[0]?.data).toMatchObject({ id: oldId, status: 'canceled', new_subscription_id: newId });
    expect(changed[1]?.data).toMatchObject({ id: newId, plan_code: 'scale', previous_subscription_id: oldId });
    expect(translate(sourceStream(tenant, newId)('SubscriptionCreated', successor))).toEqual([]);
  });

  it('announce a plan change at the period end as an update of the old subscription, which is canceled later', () => {
    const translate = inMemoryCatalog();
    const [oldId, newId, customerId] = [newResourceId(), newResourceId(), newResourceId()];
    const old = sourceStream(tenant, oldId);
    translate(old('SubscriptionCreated', subscriptionTerms(oldId, customerId)));
    const changed = translate(
      old('SubscriptionPlanChanged', {
        subscription_id: oldId,
        change_mode: 'end_of_period',
        refund_policy: null,
        canceled_at: null,
        cancel_at: '2026-04-01T00:00:00.000Z',
        new_subscription: { ...subscriptionTerms(newId, customerId, oldId), plan_code: 'scale' },
        changed_at: '2026-03-10T00:00:00.000Z',
      }),
    );
    expect(types(changed)).toEqual(['subscription.updated', 'subscription.created']);
    expect(changed[0]?.data).toMatchObject({ id: oldId, cancel_at: '2026-04-01T00:00:00.000Z' });
  });
});

describe('credit grant and balance events', () => {
  const grantCreated = (
    id: string,
    subscriptionId: string,
    customerId: string,
    denomination: object,
    amount: string,
  ) => ({
    grant_id: id,
    subscription_id: subscriptionId,
    customer_id: customerId,
    name: 'Welcome credits',
    amount,
    denomination,
    priority: 0,
    effective_at: '2026-03-01T00:00:00.000Z',
    expires_at: '2026-06-01T00:00:00.000Z',
    metadata: {},
    created_at: '2026-03-01T00:00:00.000Z',
  });

  it('become credit_grant.created, voided and expired, amounts as the API shows them', () => {
    const translate = inMemoryCatalog();
    const [cents, units, subscriptionId, customerId] = [
      newResourceId(),
      newResourceId(),
      newResourceId(),
      newResourceId(),
    ];
    const usd = { type: 'currency', code: 'usd' };
    const gpu = { type: 'pricing_unit', code: 'gpu_sec' };
    const centsGrant = sourceStream(tenant, cents);
    const [created] = translate(
      centsGrant('CreditGrantCreated', grantCreated(cents, subscriptionId, customerId, usd, '5000')),
    );
    expect(created).toMatchObject({
      type: 'credit_grant.created',
      data: {
        id: cents,
        name: 'Welcome credits',
        currency_code: 'usd',
        pricing_unit_code: null,
        amount: 5_000,
        status: 'active',
        removed_amount: null,
      },
    });
    const [voided] = translate(
      centsGrant('CreditGrantVoided', {
        grant_id: cents,
        customer_id: customerId,
        voided_amount: '1250',
        voided_at: '2026-03-05T00:00:00.000Z',
      }),
    );
    expect(voided).toMatchObject({
      type: 'credit_grant.voided',
      data: {
        id: cents,
        subscription_id: subscriptionId,
        status: 'voided',
        removed_amount: 1_250,
        voided_at: '2026-03-05T00:00:00.000Z',
      },
    });
    const unitGrant = sourceStream(tenant, units);
    translate(unitGrant('CreditGrantCreated', grantCreated(units, subscriptionId, customerId, gpu, '100.5')));
    const [expired] = translate(
      unitGrant('CreditGrantExpired', {
        grant_id: units,
        customer_id: customerId,
        expired_amount: '0.25',
        expired_at: '2026-06-01T00:00:00.000Z',
      }),
    );
    expect(expired).toMatchObject({
      type: 'credit_grant.expired',
      data: { pricing_unit_code: 'gpu_sec', amount: '100.5', removed_amount: '0.25', status: 'expired' },
    });
  });

  it('become balance.low and balance.depleted', () => {
    const translate = inMemoryCatalog();
    const customerId = newResourceId();
    const rating = sourceStream(tenant, `usage_rating-${customerId}`);
    const usd = { type: 'currency', code: 'usd' };
    const [low] = translate(
      rating('BalanceLow', {
        customer_id: customerId,
        denomination: usd,
        available: '400',
        threshold: '500',
        at: '2026-03-02T00:00:00.000Z',
      }),
    );
    expect(low).toMatchObject({
      type: 'balance.low',
      data: { customer_id: customerId, available: 400, threshold: 500 },
    });
    const [depleted] = translate(
      rating('BalanceDepleted', { customer_id: customerId, denomination: usd, at: '2026-03-03T00:00:00.000Z' }),
    );
    expect(depleted).toMatchObject({ type: 'balance.depleted', data: { customer_id: customerId, denomination: usd } });
  });
});

describe('ids and skipped events', () => {
  it('make the same ids from the same source event, different ones per type and source', () => {
    const customerId = newResourceId();
    const rating = sourceStream(tenant, `usage_rating-${customerId}`);
    const record = rating('BalanceDepleted', {
      customer_id: customerId,
      denomination: { type: 'currency', code: 'usd' },
      at: '2026-03-03T00:00:00.000Z',
    });
    const [first] = inMemoryCatalog()(record);
    const [again] = inMemoryCatalog()(record);
    expect(first?.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(again).toEqual(first);
    const [other] = inMemoryCatalog()(
      rating('BalanceDepleted', {
        customer_id: customerId,
        denomination: { type: 'currency', code: 'usd' },
        at: '2026-03-03T00:00:00.000Z',
      }),
    );
    expect(other?.id).not.toBe(first?.id);
  });

  it('skip what invoicing publishes besides: plans, rated usage', () => {
    const translate = inMemoryCatalog();
    expect(translate(sourceStream(tenant, 'plan-pro')('PlanCreated', { whatever: true }))).toEqual([]);
    expect(translate(sourceStream(tenant, 'usage_rating-x')('UsageRated', { customer_id: 'x', rated: [] }))).toEqual(
      [],
    );
  });
});
