import { eventually, type GatewayClient } from '@afternoon/testkit';
import { expect } from 'vitest';

/** A test clock frozen at 1 January 2027, a customer Ada on it, and her active subscription to the plan. */
export async function subscribeOnClock(client: GatewayClient, planCode: string) {
  const clock = (await client.post('/v1/test_clocks', { frozen_time: '2027-01-01T00:00:00.000Z' })).body.test_clock.id;
  const customerId = (await client.post('/v1/customers', { name: 'Ada', test_clock: clock })).body.customer.id;
  const subscribed = await client.post('/v1/subscriptions', {
    customer_id: customerId,
    plan_code: planCode,
    initial_status: 'active',
  });
  expect(subscribed.status).toBe(201);
  return {
    clock: clock as string,
    customerId: customerId as string,
    subscriptionId: subscribed.body.subscription.id as string,
  };
}

/** Advances the clock and waits until it is ready again: everything the advance made due is done. */
export async function advanceClock(client: GatewayClient, clockId: string, frozenTime: string, timeout = 30_000) {
  expect((await client.post(`/v1/test_clocks/${clockId}/advance`, { frozen_time: frozenTime })).status).toBe(200);
  await eventually(
    async () => expect((await client.get(`/v1/test_clocks/${clockId}`)).body.test_clock.status).toBe('ready'),
    { timeout, label: `clock ready at ${frozenTime}` },
  );
}
