import { createHmac } from 'node:crypto';
import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refused } from '../../test/refused';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from '../../test/webhookReceiver';

const requestIdFormat = /^req_[A-Za-z0-9_-]+$/;

describe('webhook deliveries, retries, replays and the events log through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let receiver: WebhookReceiver;
  let endpoint: { id: string; secret: string };
  let customerId: string;
  let windowStart: string;

  // One endpoint told of new customers, and one customer: one event, one delivery, one webhook received.
  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
    receiver = await startWebhookReceiver();
    const created = await acme.live.post('/v1/webhook_endpoints', {
      url: receiver.url,
      enabled_events: ['customer.created'],
    });
    expect(created.status).toBe(201);
    endpoint = created.body.webhook_endpoint;
    windowStart = new Date().toISOString();
    customerId = (await acme.live.post('/v1/customers', { name: 'Umbrella' })).body.customer.id;
    await eventually(() => expect(receiver.received).toHaveLength(1), { label: 'customer.created received' });
  });
  afterAll(async () => {
    await receiver?.close();
    await cluster?.stop();
  });

  const deliveriesPath = () => `/v1/webhook_endpoints/${endpoint.id}/deliveries`;

  it('logs the event that was sent, as it was sent, newest first', async () => {
    const [webhook] = receiver.received as [ReceivedWebhook];
    expect(verifies(endpoint.secret, webhook)).toBe(true);
    const sent = JSON.parse(webhook.body);
    expect(sent).toMatchObject({ id: webhook.headers['webhook-id'], type: 'customer.created', mode: 'live' });
    expect(JSON.stringify(sent.data)).toContain(customerId);

    const log = await acme.live.get('/v1/events_log?type=customer.created');
    expect(log.status).toBe(200);
    expect(log.body).toEqual({
      success: true,
      events: [sent],
      pagination: { has_more: false, next_cursor: null },
      request_id: expect.stringMatching(requestIdFormat),
    });
    expect((await acme.live.get('/v1/events_log?type=invoice.paid')).body.events).toEqual([]);
    expect((await acme.test.get('/v1/events_log')).body.events).toEqual([]);
  });

  it("lists the endpoint's deliveries with each attempt, filtered by status", async () => {
    const list = await acme.live.get(deliveriesPath());
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      success: true,
      deliveries: [
        {
          id: expect.any(String),
          endpoint_id: endpoint.id,
          event_id: receiver.received[0]?.headers['webhook-id'],
          event_type: 'customer.created',
          status: 'succeeded',
          attempts: [
            {
              attempted_at: expect.any(String),
              response_status: 200,
              latency_ms: expect.any(Number),
              response_body: 'ok',
              error: null,
            },
          ],
          next_attempt_at: null,
          created_at: expect.any(String),
        },
      ],
      pagination: { has_more: false, next_cursor: null },
      request_id: expect.stringMatching(requestIdFormat),
    });
    expect((await acme.live.get(`${deliveriesPath()}?status=failed`)).body.deliveries).toEqual([]);
  });

  it('retries a delivery: the same event, the same webhook-id, sent again', async () => {
    const [delivery] = (await acme.live.get(deliveriesPath())).body.deliveries;
    const retried = await acme.live.post(`/v1/webhook_deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({
      success: true,
      delivery: expect.objectContaining({ id: delivery.id, endpoint_id: endpoint.id, event_id: delivery.event_id }),
      request_id: expect.stringMatching(requestIdFormat),
    });
    await eventually(() => expect(receiver.received).toHaveLength(2), { label: 'retried webhook received' });
    expect(receiver.received[1]?.headers['webhook-id']).toBe(delivery.event_id);
    expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body);
  });

  it('replays a window of events to the endpoint, answering how many', async () => {
    const before = receiver.received.length;
    const path = `/v1/webhook_endpoints/${endpoint.id}/replay`;
    const to = new Date(Date.now() + 60_000).toISOString();
    const replayed = await acme.live.post(path, { from: windowStart, to, types: ['customer.created'] });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual({ success: true, replayed: 1, request_id: expect.stringMatching(requestIdFormat) });
    await eventually(() => expect(receiver.received).toHaveLength(before + 1), { label: 'replayed webhook' });
    expect(receiver.received[before]?.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);

    const empty = await acme.live.post(path, { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' });
    expect(empty.body.replayed).toBe(0);
  });

  it('a delivery of another organization or mode, or none, is not found, and nothing is sent', async () => {
    const [delivery] = (await acme.live.get(deliveriesPath())).body.deliveries;
    const globex = await cluster.createOrganization('Globex');
    const before = receiver.received.length;
    for (const stranger of [globex.live, acme.test])
      refused(await stranger.post(`/v1/webhook_deliveries/${delivery.id}/retry`), 404, 'NOT_FOUND');
    refused(await acme.live.post('/v1/webhook_deliveries/cm5x9z8nv0000h85r7l9p2k1m/retry'), 404, 'NOT_FOUND');
    for (const stranger of [globex.live, acme.test]) {
      refused(await stranger.get(deliveriesPath()), 404, 'NOT_FOUND');
      const replay = { from: windowStart, to: new Date(Date.now() + 60_000).toISOString() };
      refused(await stranger.post(`/v1/webhook_endpoints/${endpoint.id}/replay`, replay), 404, 'NOT_FOUND');
    }
    // A customer of the test mode is logged in the test mode's events, and sent to no live endpoint.
    await acme.test.post('/v1/customers', { name: 'Test Co' });
    const testLog = async () => (await acme.test.get('/v1/events_log')).body.events;
    await eventually(async () => expect(await testLog()).toHaveLength(1), { label: 'test-mode event logged' });
    expect((await acme.live.get('/v1/events_log')).body.events).toHaveLength(1);
    expect(receiver.received).toHaveLength(before);
  });
});

/** The Standard Webhooks check: HMAC-SHA256 of `id.timestamp.body` under the secret's bytes, base64, after `v1,`. */
function verifies(secret: string, { headers, body }: ReceivedWebhook): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((signature) => signature === `v1,${expected}`);
}
