import { Topics } from '@afternoon/contracts/topics';
import type { WebhookDelivery } from '@afternoon/contracts/webhooks';
import { newResourceId, type RunningService, rebuildProjections, withTransaction } from '@afternoon/service-kit';
import { collectTopic, dropSchemas, dropTopics, eventually, uniqueName } from '@afternoon/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationProjections } from '../app';
import { recordWebhookEvent } from '../catalog/recordWebhookEvent';
import { webhookEvent } from '../catalog/toWebhookEvents';
import { webhookEventId } from '../catalog/webhookEventId';
import {
  deliveriesOf,
  deliveryOf,
  insertEndpoint,
  internalGet,
  MovableClock,
  newSecret,
  newTenant,
  recordEvent,
  sendCommand,
  startDeliveringService,
  storedBody,
} from './deliveries.testing';
import { startReceiver } from './receivers.testing';
import { scheduleDeliveries } from './scheduleDeliveries';

describe('webhook deliveries on real Kafka, Postgres and loopback receivers', () => {
  const schema = uniqueName('deliveries');
  const topicPrefix = `${uniqueName('nd')}.`;
  const clock = new MovableClock();
  const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    service = await startDeliveringService(schema, topicPrefix, clock);
    replies = await collectTopic(`${topicPrefix}${Topics.gatewayReplies.name}`);
  });
  afterAll(async () => {
    await replies.stop();
    await service.stop();
    await Promise.all(receivers.map((started) => started.close()));
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  it('delivers an event to each endpoint enabled for its type, signed and verifiable', async () => {
    const tenant = newTenant();
    const ok = await receiver((_request, respond) => respond(200, 'thanks'));
    const subscribed = await insertEndpoint(service, tenant, ok.url, { events: ['customer.created'] });
    const everything = await insertEndpoint(service, tenant, ok.url, { events: ['*'] });
    await insertEndpoint(service, tenant, ok.url, { events: ['invoice.paid'] });
    const { event, scheduled } = await recordEvent(service, tenant, clock.now());
    expect(scheduled).toBe(2);

    await eventually(() => expect(ok.received).toHaveLength(2), { label: 'both deliveries' });
    const body = await storedBody(service, event.id);
    for (const request of ok.received) {
      expect(request.body).toBe(body);
      expect(request.headers['webhook-id']).toBe(event.id);
    }
    const secrets = [subscribed.secret, everything.secret];
    for (const secret of secrets) {
      const verified = ok.received.filter((request) => {
        try {
          new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      expect(verified).toHaveLength(1);
    }
    const [delivery] = await eventually(async () => {
      const listed = await deliveriesOf(service, tenant, subscribed.id);
      expect(listed[0]?.status).toBe('succeeded');
      return listed;
    });
    expect(delivery).toMatchObject({
      endpoint_id: subscribed.id,
      event_id: event.id,
      event_type: 'customer.created',
      next_attempt_at: null,
      attempts: [{ response_status: 200, response_body: 'thanks', error: null }],
    });
    // Scheduling the same event again (a replayed topic) schedules nothing.
    expect((await recordEventAgain(event.id)).scheduled).toBe(0);
  });

  it('sends and logs the body exactly as the catalog made it, in its key order, which jsonb would change', async () => {
    const tenant = newTenant();
    const ok = await receiver((_request, respond) => respond(200));
    const endpoint = await insertEndpoint(service, tenant, ok.url);
    // jsonb puts shorter keys first: `url` before `endpoint_id`, and `data` before `type`, `version` and `timestamp`.
    const event = webhookEvent(
      'webhook_endpoint.disabled',
      webhookEventId(`exact-body-${tenant.organizationId}`, 'webhook_endpoint.disabled'),
      { timestamp: clock.now().toISOString(), mode: tenant.mode },
      {
        endpoint_id: newResourceId(),
        url: 'https://hooks.example.com/afternoon',
        failing_since: clock.now().toISOString(),
      },
    );
    const made = JSON.stringify(event);
    const { rows } = await service.pool.query<{ body: string }>('SELECT $1::jsonb::text AS body', [made]);
    expect(JSON.stringify(JSON.parse(rows[0]!.body))).not.toBe(made);

    await withTransaction(service.pool, (tx) => recordWebhookEvent(tx, tenant, event, service, { now: clock.now() }));
    const [request] = await eventually(
      () => {
        expect(ok.received).toHaveLength(1);
        return ok.received;
      },
      { label: 'the delivery' },
    );
    expect(request!.body).toBe(made);
    expect(new Webhook(endpoint.secret).verify(request!.body, request!.headers as Record<string, string>)).toEqual(
      event,
    );
    const log = await internalGet(service, '/events-log', tenant);
    expect(log.status).toBe(200);
    expect(JSON.stringify(log.body.events)).toBe(`[${made}]`);
  });

  async function recordEventAgain(eventId: string) {
    const { rows } = await service.pool.query('SELECT organization_id, mode, body FROM webhook_events WHERE id = $1', [
      eventId,
    ]);
    const row = rows[0];
    const tenant = { organizationId: row.organization_id, mode: row.mode };
    const scheduled = await withTransaction(service.pool, (tx) =>
      scheduleDeliveries(tx, tenant, JSON.parse(row.body), service, clock.now()),
    );
    return { scheduled };
  }

  it('retries a 500 after 5 s on the schedule clock, and logs both attempts', async () => {
    const tenant = newTenant();
    const flaky = await receiver((_request, respond) => respond(500, 'down for maintenance'));
    const endpoint = await insertEndpoint(service, tenant, flaky.url);
    const { event } = await recordEvent(service, tenant, clock.now());
    const [failed] = await eventually(async () => {
      const listed = await deliveriesOf(service, tenant, endpoint.id);
      expect(listed[0]?.attempts).toHaveLength(1);
      return listed;
    });
    const first = failed!.attempts[0]!;
    expect(first).toMatchObject({ response_status: 500, response_body: 'down for maintenance', error: null });
    expect(failed!.status).toBe('pending');
    // 5 s after the failure was known (the attempt's start plus its latency, and the recording), jittered by 10%.
    const wait = Date.parse(failed!.next_attempt_at!) - Date.parse(first.attempted_at) - first.latency_ms;
    expect(wait).toBeGreaterThanOrEqual(4_500);
    expect(wait).toBeLessThanOrEqual(5_500 + 250);

    flaky.answer((_request, respond) => respond(202));
    clock.skip(5_500);
    const delivered = await eventually(async () => {
      const delivery = await deliveryOf(service, tenant, failed!.id);
      expect(delivery.status).toBe('succeeded');
      return delivery;
    });
    expect(delivered.attempts.map((attempt) => attempt.response_status)).toEqual([500, 202]);
    expect(flaky.received.map((request) => request.headers['webhook-id'])).toEqual([event.id, event.id]);
    const [firstTimestamp, secondTimestamp] = flaky.received.map((request) =>
      Number(request.headers['webhook-timestamp']),
    );
    expect(secondTimestamp! - firstTimestamp!).toBeGreaterThanOrEqual(5);
  });

  it('logs a receiver that never answers as a timeout, to be retried', async () => {
    const tenant = newTenant();
    const silent = await receiver(() => undefined);
    const endpoint = await insertEndpoint(service, tenant, silent.url);
    await recordEvent(service, tenant, clock.now());
    const [delivery] = await eventually(
      async () => {
        const listed = await deliveriesOf(service, tenant, endpoint.id);
        expect(listed[0]?.attempts).toHaveLength(1);
        return listed;
      },
      { timeout: 15_000, label: 'the timed-out attempt' },
    );
    expect(delivery).toMatchObject({ status: 'pending', attempts: [{ response_status: null, error: 'timeout' }] });
    // WEBHOOK_TIMEOUT_MS is 3 s in this test.
    expect(delivery!.attempts[0]!.latency_ms).toBeGreaterThanOrEqual(2_900);
  });

  it('keeps delivering to a healthy endpoint while a dead one hangs, with at most 2 requests at the dead one', async () => {
    const tenant = newTenant();
    const hanging = await receiver(() => undefined);
    const healthy = await receiver((_request, respond) => respond(200));
    const dead = await insertEndpoint(service, tenant, hanging.url);
    await insertEndpoint(service, tenant, healthy.url);
    for (let n = 0; n < 6; n += 1) await recordEvent(service, tenant, clock.now());

    await eventually(() => expect(healthy.received).toHaveLength(6), { label: 'the healthy endpoint has all six' });
    // Read in this order: requests only grow, and a send's attempt is recorded before its slot lets the next one out,
    // so the dead endpoint's requests seen first, less its attempts read after, is at most what was out at once.
    const deadRequests = hanging.received.length;
    const deadAttempts = (await deliveriesOf(service, tenant, dead.id)).flatMap((delivery) => delivery.attempts);
    expect(deadRequests).toBeGreaterThan(0);
    expect(deadRequests - deadAttempts.length).toBeLessThanOrEqual(2);
    // Each dead request holds its slot for the 3 s timeout (WEBHOOK_TIMEOUT_MS here): had the healthy endpoint's sends
    // queued behind them, all six dead ones would have been tried before it had its six.
    expect(deadAttempts.length).toBeLessThan(6);
  });

  it('retries a delivery by command, whatever its status, with the same webhook-id; another tenant gets 404', async () => {
    const tenant = newTenant();
    const ok = await receiver((_request, respond) => respond(200));
    const endpoint = await insertEndpoint(service, tenant, ok.url);
    const { event } = await recordEvent(service, tenant, clock.now());
    const [delivered] = await eventually(async () => {
      const listed = await deliveriesOf(service, tenant, endpoint.id);
      expect(listed[0]?.status).toBe('succeeded');
      return listed;
    });

    const data = { endpoint_id: endpoint.id, delivery_id: delivered!.id };
    const reply = await sendCommand(topicPrefix, replies, tenant, 'RetryWebhookDelivery', data, clock.now());
    expect(reply.ok).toBe(true);
    expect(reply.result as WebhookDelivery).toMatchObject({ id: delivered!.id, status: 'pending', attempts: [{}] });
    await eventually(() => expect(ok.received).toHaveLength(2), { label: 'the retried request' });
    expect(ok.received.map((request) => request.headers['webhook-id'])).toEqual([event.id, event.id]);
    await eventually(async () => {
      const delivery = await deliveryOf(service, tenant, delivered!.id);
      expect(delivery).toMatchObject({ status: 'succeeded', next_attempt_at: null });
      expect(delivery.attempts).toHaveLength(2);
    });

    const stranger = newTenant();
    const refused = await sendCommand(topicPrefix, replies, stranger, 'RetryWebhookDelivery', data, clock.now());
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await internalGet(service, `/webhook-deliveries/${delivered!.id}`, stranger)).status).toBe(404);
    expect((await internalGet(service, `/webhook-endpoints/${endpoint.id}/deliveries`, stranger)).status).toBe(404);
    const wrongEndpoint = { ...data, endpoint_id: 'w00000000000000000000000x' };
    const misaddressed = await sendCommand(
      topicPrefix,
      replies,
      tenant,
      'RetryWebhookDelivery',
      wrongEndpoint,
      clock.now(),
    );
    expect(misaddressed).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('replays the events of a window [from, to), of the given types, as new deliveries with the same webhook-ids', async () => {
    const tenant = newTenant();
    const ok = await receiver((_request, respond) => respond(200));
    const endpoint = await insertEndpoint(service, tenant, ok.url);
    const at = (minute: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + minute * 60_000);
    const events = [
      await recordEvent(service, tenant, clock.now(), { occurredAt: at(0), schedule: false }),
      await recordEvent(service, tenant, clock.now(), { occurredAt: at(1), schedule: false, type: 'invoice.paid' }),
      await recordEvent(service, tenant, clock.now(), { occurredAt: at(2), schedule: false }),
    ].map(({ event }) => event);

    const window = { endpoint_id: endpoint.id, from: at(0).toISOString(), to: at(2).toISOString(), types: null };
    const replay = await sendCommand(topicPrefix, replies, tenant, 'ReplayWebhookEvents', window, clock.now());
    expect(replay).toMatchObject({ ok: true, result: { replayed: 2 } });
    await eventually(() => expect(ok.received).toHaveLength(2), { label: 'the replayed window' });
    expect(ok.received.map((request) => request.headers['webhook-id']).sort()).toEqual(
      [events[0]!.id, events[1]!.id].sort(),
    );

    const onlyPaid = { ...window, types: ['invoice.paid'] };
    const again = await sendCommand(topicPrefix, replies, tenant, 'ReplayWebhookEvents', onlyPaid, clock.now());
    expect(again).toMatchObject({ ok: true, result: { replayed: 1 } });
    await eventually(() => expect(ok.received).toHaveLength(3), { label: 'the second replay' });
    expect(ok.received[2]!.headers['webhook-id']).toBe(events[1]!.id);
    const listed = await deliveriesOf(service, tenant, endpoint.id);
    expect(listed).toHaveLength(3);
    expect(new Set(listed.map((delivery) => delivery.id)).size).toBe(3);

    const stranger = newTenant();
    const refused = await sendCommand(topicPrefix, replies, stranger, 'ReplayWebhookEvents', window, clock.now());
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('disables an endpoint whose deliveries failed for 3 days in a row and fails its pending deliveries', async () => {
    const tenant = newTenant();
    const failing = await receiver((_request, respond) => respond(503));
    const endpointId = 'wfailing00000000000000001';
    const created = await sendCommand(
      topicPrefix,
      replies,
      tenant,
      'CreateWebhookEndpoint',
      {
        endpoint_id: endpointId,
        url: failing.url,
        enabled_events: ['*'],
        description: null,
        metadata: {},
        secret: newSecret(),
      },
      clock.now(),
    );
    expect(created.ok).toBe(true);
    await recordEvent(service, tenant, clock.now());
    const [delivery] = await eventually(async () => {
      const listed = await deliveriesOf(service, tenant, endpointId);
      expect(listed[0]?.attempts).toHaveLength(1);
      return listed;
    });
    const failingSince = delivery!.attempts[0]!.attempted_at;

    // The retry due 5 s later is attempted 3 days later: still failing, the endpoint has failed for 3 days.
    clock.skip(3 * 24 * 3_600_000);
    const endpoint = await eventually(
      async () => {
        const { body } = await internalGet(service, `/webhook-endpoints/${endpointId}`, tenant);
        expect(body.webhook_endpoint).toMatchObject({ status: 'disabled', disabled_reason: 'failing' });
        return body.webhook_endpoint;
      },
      { label: 'the endpoint disabled' },
    );
    expect(endpoint).toBeDefined();
    const { rows } = await service.pool.query(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'WebhookEndpointDisabled'`,
      [`webhook_endpoint-${endpointId}`],
    );
    expect(rows.map((row) => row.data)).toMatchObject([
      { endpoint_id: endpointId, reason: 'failing', failing_since: failingSince },
    ]);
    // The organization's other endpoints are told (`webhook_endpoint.disabled` in its events log).
    const told = await service.pool.query(
      `SELECT body FROM webhook_events WHERE organization_id = $1 AND mode = $2 AND type = 'webhook_endpoint.disabled'`,
      [tenant.organizationId, tenant.mode],
    );
    expect(told.rows.map((row) => JSON.parse(row.body).data)).toEqual([
      { endpoint_id: endpointId, url: failing.url, failing_since: failingSince },
    ]);
    const after = await deliveryOf(service, tenant, delivery!.id);
    expect(after).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(after.attempts.map((attempt) => attempt.response_status)).toEqual([503, 503]);
    // A disabled endpoint is sent no new event.
    expect((await recordEvent(service, tenant, clock.now())).scheduled).toBe(0);
  });

  it('rebuilds the same delivery history from the event store', async () => {
    const snapshot = async () => ({
      deliveries: (
        await service.pool.query(
          `SELECT id, organization_id, mode, endpoint_id, event_id, event_type, cause, status, attempt_count,
                  next_attempt_at, created_at FROM webhook_deliveries ORDER BY id`,
        )
      ).rows,
      attempts: (await service.pool.query('SELECT * FROM webhook_delivery_attempts ORDER BY delivery_id, number')).rows,
    });
    // The earlier tests moved the clock days ahead: the sender first works off what that made due, so nothing
    // changes between the snapshots but the rebuild.
    await eventually(
      async () => {
        const { rows } = await service.pool.query(
          `SELECT count(*)::int AS busy FROM webhook_deliveries
            WHERE status = 'pending' AND (next_attempt_at <= $1 OR leased_until > $1)`,
          [clock.now()],
        );
        expect(rows[0].busy).toBe(0);
      },
      { timeout: 30_000, label: 'no delivery due or in flight' },
    );
    const before = await snapshot();
    expect(before.deliveries.length).toBeGreaterThan(10);
    await rebuildProjections(service.pool, notificationProjections);
    expect(await snapshot()).toEqual(before);
  });
});
