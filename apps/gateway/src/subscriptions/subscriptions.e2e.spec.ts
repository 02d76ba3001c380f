import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const flatPlan = (code: string, interval = 'month') => ({
  code,
  name: code,
  interval,
  prices: [{ model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' }],
});

const lastDayOfMonth = (instant: Date) =>
  new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth() + 1, 0)).getUTCDate();

describe('subscriptions through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;
  const customers: string[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    for (const code of ['starter', 'pro', 'scale', 'retired'])
      expect((await acme.live.post('/v1/plans', flatPlan(code))).status).toBe(201);
    expect((await acme.live.post('/v1/plans/retired/archive')).status).toBe(200);
    for (const name of ['Ada', 'Grace', 'Edsger']) {
      const customer = await acme.live.post('/v1/customers', { name });
      expect(customer.status).toBe(201);
      customers.push(customer.body.customer.id);
    }
  });
  afterAll(() => cluster?.stop());

  const subscribe = (body: Record<string, unknown>) => acme.live.post('/v1/subscriptions', body);

  it('creates an active subscription from a past start, anchored on the 31st, in its current period now', async () => {
    const before = new Date();
    const created = await subscribe({
      customer_id: customers[0],
      plan_code: 'starter',
      start_date: '2026-01-31T00:00:00Z',
      initial_status: 'active',
    });
    expect(created.status).toBe(201);
    const subscription = created.body.subscription;
    expect(subscription).toMatchObject({
      customer_id: customers[0],
      plan_code: 'starter',
      plan_version: 1,
      status: 'active',
      billing_anchor_day: 31,
      start_date: '2026-01-31T00:00:00.000Z',
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
    });
    const start = new Date(subscription.current_period_start);
    const end = new Date(subscription.current_period_end);
    expect(start.getTime()).toBeLessThanOrEqual(before.getTime());
    expect(end.getTime()).toBeGreaterThan(before.getTime());
    // Anchored on the 31st: every period turns on the month's last day when it has no 31st, at midnight.
    for (const turn of [start, end]) {
      expect(turn.getUTCDate()).toBe(lastDayOfMonth(turn));
      expect(turn.toISOString().slice(11)).toBe('00:00:00.000Z');
    }
    expect(subscription.next_renewal_date).toBe(subscription.current_period_end);
    expect((await acme.live.get(`/v1/subscriptions/${subscription.id}`)).body.subscription).toEqual(subscription);
  });

  it('gives a future subscription its first period: up to the anchor, or a whole month on it', async () => {
    const shortFirst = await subscribe({
      customer_id: customers[1],
      plan_code: 'starter',
      start_date: '2030-01-15T00:00:00.000Z',
      billing_anchor_day: 31,
    });
    expect(shortFirst.body.subscription).toMatchObject({
      status: 'pending',
      current_period_start: '2030-01-15T00:00:00.000Z',
      current_period_end: '2030-01-31T00:00:00.000Z',
    });
    const onAnchor = await subscribe({
      customer_id: customers[2],
      plan_code: 'starter',
      start_date: '2030-01-31T00:00:00Z',
    });
    // 31 Jan to the anchor in February, which has no 31st: the 28th.
    expect(onAnchor.body.subscription).toMatchObject({
      billing_anchor_day: 31,
      current_period_start: '2030-01-31T00:00:00.000Z',
      current_period_end: '2030-02-28T00:00:00.000Z',
    });
  });

  it('refuses a second live subscription of a customer to a plan, an unknown customer or plan, an archived plan', async () => {
    const second = await subscribe({ customer_id: customers[0], plan_code: 'starter' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'CONFLICT', param: 'plan_code' });
    const unknownCustomer = await subscribe({ customer_id: 'cm5x9z8nv0000h85r7l9p2k1m', plan_code: 'pro' });
    expect(unknownCustomer.status).toBe(404);
    expect(unknownCustomer.body.error.param).toBe('customer_id');
    const unknownPlan = await subscribe({ customer_id: customers[0], plan_code: 'enterprise' });
    expect(unknownPlan.status).toBe(404);
    expect(unknownPlan.body.error.param).toBe('plan_code');
    expect((await subscribe({ customer_id: customers[0], plan_code: 'retired' })).body.error.code).toBe(
      'INVALID_STATE',
    );
    const invalid = await subscribe({ customer_id: customers[0], plan_code: 'Pro!', billing_anchor_day: 32 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((detail: { param: string }) => detail.param)).toEqual(
      expect.arrayContaining(['plan_code', 'billing_anchor_day']),
    );
  });

  it('lists by customer and status, page by page', async () => {
    const all = await acme.live.get('/v1/subscriptions');
    expect(all.body.subscriptions).toHaveLength(3);
    const ofAda = await acme.live.get(`/v1/subscriptions?customer_id=${customers[0]}`);
    expect(ofAda.body.subscriptions.map((listed: { customer_id: string }) => listed.customer_id)).toEqual([
      customers[0],
    ]);
    const pending = await acme.live.get('/v1/subscriptions?status=pending');
    expect(pending.body.subscriptions).toHaveLength(2);
    const first = await acme.live.get('/v1/subscriptions?limit=2');
    expect(first.body.pagination.has_more).toBe(true);
    const rest = await acme.live.get(`/v1/subscriptions?limit=2&cursor=${first.body.pagination.next_cursor}`);
    expect(rest.body.pagination).toEqual({ has_more: false, next_cursor: null });
    const ids = [...first.body.subscriptions, ...rest.body.subscriptions].map((listed: { id: string }) => listed.id);
    expect(ids).toEqual(all.body.subscriptions.map((listed: { id: string }) => listed.id));
    expect((await acme.live.get('/v1/subscriptions?status=paused')).status).toBe(400);
  });

  it('updates the anchor day, the renewal date and the status; canceled sets canceled_at', async () => {
    const { id } = (
      await subscribe({ customer_id: customers[1], plan_code: 'pro', start_date: '2030-03-10T00:00:00Z' })
    ).body.subscription;
    const reanchored = await acme.live.patch(`/v1/subscriptions/${id}`, { billing_anchor_day: 20 });
    expect(reanchored.status).toBe(200);
    expect(reanchored.body.subscription).toMatchObject({
      billing_anchor_day: 20,
      current_period_start: '2030-03-10T00:00:00.000Z',
      current_period_end: '2030-03-20T00:00:00.000Z',
    });
    const renewal = '2030-04-01T00:00:00.000Z';
    expect(
      (await acme.live.patch(`/v1/subscriptions/${id}`, { next_renewal_date: renewal })).body.subscription,
    ).toMatchObject({
      // The period from 10 Mar now ends on the renewal date set by hand, instead of the anchor's 20 Mar.
      current_period_start: '2030-03-10T00:00:00.000Z',
      current_period_end: renewal,
      next_renewal_date: renewal,
    });
    const past = await acme.live.patch(`/v1/subscriptions/${id}`, { next_renewal_date: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.param).toBe('next_renewal_date');
    expect((await acme.live.patch(`/v1/subscriptions/${id}`, { status: 'active' })).body.subscription.status).toBe(
      'active',
    );
    const canceled = await acme.live.patch(`/v1/subscriptions/${id}`, { status: 'canceled' });
    expect(canceled.body.subscription.status).toBe('canceled');
    expect(canceled.body.subscription.canceled_at).toEqual(expect.any(String));
    expect((await acme.live.patch(`/v1/subscriptions/${id}`, { billing_anchor_day: 1 })).body.error.code).toBe(
      'INVALID_STATE',
    );
    expect((await acme.live.patch('/v1/subscriptions/cm5x9z8nv0000h85r7l9p2k1m', { status: 'active' })).status).toBe(
      404,
    );
  });

  it('cancels at period end (keeping its status until then) or now; a second cancel is refused', async () => {
    // Starts in the future: a past start would be activated by the billing run meanwhile.
    const { id, current_period_end } = (
      await subscribe({ customer_id: customers[2], plan_code: 'pro', start_date: '2030-02-01T00:00:00Z' })
    ).body.subscription;
    const refusedPolicy = await acme.live.post(`/v1/subscriptions/${id}/cancel`, {
      cancel_mode: 'end_of_period',
      cancel_now_prepaid_refund_policy: 'no_refund',
    });
    expect(refusedPolicy.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'cancel_now_prepaid_refund_policy',
    });
    const scheduled = await acme.live.post(`/v1/subscriptions/${id}/cancel`, { cancel_mode: 'end_of_period' });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.subscription).toMatchObject({
      status: 'pending',
      cancel_at_period_end: true,
      cancel_at: current_period_end,
      canceled_at: null,
    });
    const again = await acme.live.post(`/v1/subscriptions/${id}/cancel`, { cancel_mode: 'end_of_period' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_STATE');
    const now = await acme.live.post(`/v1/subscriptions/${id}/cancel`, {
      cancel_mode: 'now',
      cancel_now_prepaid_refund_policy: 'refund_prorated',
    });
    expect(now.body.subscription).toMatchObject({ status: 'canceled', cancel_at_period_end: false });
    expect((await acme.live.post(`/v1/subscriptions/${id}/cancel`, { cancel_mode: 'now' })).body.error.code).toBe(
      'INVALID_STATE',
    );
    // Canceled, it no longer holds the plan: the customer may subscribe to it again.
    expect((await subscribe({ customer_id: customers[2], plan_code: 'pro' })).status).toBe(201);
  });

  it('changes plan now: the old one is canceled, the new one active from now on the target', async () => {
    const old = (await acme.live.get(`/v1/subscriptions?customer_id=${customers[0]}&status=active`)).body
      .subscriptions[0];
    expect(
      (
        await acme.live.post(`/v1/subscriptions/${old.id}/change_plan`, {
          target_plan_code: 'starter',
          change_mode: 'now',
        })
      ).body.error,
    ).toMatchObject({ code: 'CONFLICT', param: 'target_plan_code' });
    const missing = await acme.live.post(`/v1/subscriptions/${old.id}/change_plan`, {
      target_plan_code: 'enterprise',
      change_mode: 'now',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.param).toBe('target_plan_code');

    const changed = await acme.live.post(`/v1/subscriptions/${old.id}/change_plan`, {
      target_plan_code: 'scale',
      change_mode: 'now',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      success: true,
      status: 'completed',
      old_subscription: { id: old.id, status: 'canceled', plan_code: 'starter' },
      new_subscription: { customer_id: customers[0], plan_code: 'scale', plan_version: 1, status: 'active' },
    });
    const created = changed.body.new_subscription;
    expect(created.start_date).toBe(changed.body.old_subscription.canceled_at);
    expect(created.billing_anchor_day).toBe(31);
    expect((await acme.live.get(`/v1/subscriptions/${created.id}`)).body.subscription).toEqual(created);
    // The new subscription takes commands like any other.
    const renewal = '2031-01-01T00:00:00.000Z';
    const patched = await acme.live.patch(`/v1/subscriptions/${created.id}`, { next_renewal_date: renewal });
    expect(patched.body.subscription).toMatchObject({ id: created.id, plan_code: 'scale', next_renewal_date: renewal });
  });

  it('changes plan at period end: the old one ends then, the new one waits, pending, to start then', async () => {
    const old = (await subscribe({ customer_id: customers[1], plan_code: 'scale', initial_status: 'active' })).body
      .subscription;
    const changed = await acme.live.post(`/v1/subscriptions/${old.id}/change_plan`, {
      target_plan_code: 'starter',
      change_mode: 'end_of_period',
    });
    // Grace already has a pending subscription to starter (the future one): one live subscription per plan.
    expect(changed.body.error).toMatchObject({ code: 'CONFLICT', param: 'target_plan_code' });
    const scheduled = await acme.live.post(`/v1/subscriptions/${old.id}/change_plan`, {
      target_plan_code: 'pro',
      change_mode: 'end_of_period',
    });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({
      status: 'scheduled',
      old_subscription: { id: old.id, status: 'active', cancel_at_period_end: true, cancel_at: old.current_period_end },
      new_subscription: { plan_code: 'pro', status: 'pending', start_date: old.current_period_end },
    });
    const created = scheduled.body.new_subscription;
    expect(created.current_period_start).toBe(old.current_period_end);
    const canceled = await acme.live.post(`/v1/subscriptions/${created.id}/cancel`, { cancel_mode: 'now' });
    expect(canceled.body.subscription).toMatchObject({ id: created.id, status: 'canceled' });
  });

  it('keeps every organization and mode to its own subscriptions', async () => {
    const [listed] = (await acme.live.get('/v1/subscriptions')).body.subscriptions;
    expect((await globex.live.get(`/v1/subscriptions/${listed.id}`)).status).toBe(404);
    expect((await acme.test.get(`/v1/subscriptions/${listed.id}`)).status).toBe(404);
    expect((await globex.live.get('/v1/subscriptions')).body.subscriptions).toEqual([]);
    const foreign = await globex.live.post(`/v1/subscriptions/${listed.id}/cancel`, { cancel_mode: 'now' });
    expect(foreign.status).toBe(404);
    const foreignCustomer = await globex.live.post('/v1/subscriptions', {
      customer_id: customers[0],
      plan_code: 'pro',
    });
    expect(foreignCustomer.status).toBe(404);
  });
});
