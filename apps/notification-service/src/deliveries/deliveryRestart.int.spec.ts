import type { RunningService } from '@afternoon/service-kit';
import { dropSchemas, dropTopics, eventually, uniqueName } from '@afternoon/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  deliveriesOf,
  deliveryOf,
  insertEndpoint,
  MovableClock,
  newTenant,
  recordEvent,
  startDeliveringService,
} from './deliveries.testing';
import { startReceiver } from './receivers.testing';

describe('a delivery whose sender stops mid-request', () => {
  const schema = uniqueName('delivery_restart');
  const topicPrefix = `${uniqueName('ndr')}.`;
  const clock = new MovableClock();
  let service: RunningService | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  it('is sent again with the same webhook-id once its lease runs out after a restart, and logged once', async () => {
    service = await startDeliveringService(schema, topicPrefix, clock);
    // The first request is never answered: the service stops while waiting for it.
    receiver = await startReceiver((request, respond) => {
      if (receiver?.received.indexOf(request) !== 0) respond(200);
    });
    const tenant = newTenant();
    const endpoint = await insertEndpoint(service, tenant, receiver.url);
    const { event } = await recordEvent(service, tenant, clock.now());
    await eventually(() => expect(receiver?.received).toHaveLength(1), { label: 'the first request' });
    await service.stop();

    service = await startDeliveringService(schema, topicPrefix, clock);
    const [unrecorded] = await deliveriesOf(service, tenant, endpoint.id);
    expect(unrecorded).toMatchObject({ status: 'pending', attempts: [] });
    // Held by the stopped sender's lease (WEBHOOK_SENDER_LEASE_MS, 30 s on the schedule clock) until it runs out.
    clock.skip(30_000);
    await eventually(() => expect(receiver?.received).toHaveLength(2), { label: 'the request sent again' });
    expect(receiver.received.map((request) => request.headers['webhook-id'])).toEqual([event.id, event.id]);
    const delivered = await eventually(async () => {
      const delivery = await deliveryOf(service!, tenant, unrecorded!.id);
      expect(delivery.status).toBe('succeeded');
      return delivery;
    });
    expect(delivered.attempts).toMatchObject([{ response_status: 200 }]);
  });
});

describe('deliveries where private networks and plain http are not allowed', () => {
  const schema = uniqueName('delivery_safety');
  const topicPrefix = `${uniqueName('nds')}.`;
  const clock = new MovableClock();
  let service: RunningService | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  it('refuses a loopback endpoint without sending, and plain http in live mode, each logged as a failed attempt', async () => {
    service = await startDeliveringService(schema, topicPrefix, clock, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: false });
    receiver = await startReceiver((_request, respond) => respond(200));
    const testTenant = newTenant('test');
    const loopback = await insertEndpoint(service, testTenant, `http://localhost:${receiver.port}/hooks`);
    const liveTenant = newTenant('live');
    const plain = await insertEndpoint(service, liveTenant, 'http://93.184.216.34/hooks');
    await recordEvent(service, testTenant, clock.now());
    await recordEvent(service, liveTenant, clock.now());

    for (const [tenant, endpoint, error] of [
      [testTenant, loopback, 'private_address'],
      [liveTenant, plain, 'insecure_url'],
    ] as const) {
      const [delivery] = await eventually(async () => {
        const listed = await deliveriesOf(service!, tenant, endpoint.id);
        expect(listed[0]?.attempts).toHaveLength(1);
        return listed;
      });
      expect(delivery).toMatchObject({ status: 'pending', attempts: [{ response_status: null, error }] });
    }
    expect(receiver.received).toHaveLength(0);
  });
});
