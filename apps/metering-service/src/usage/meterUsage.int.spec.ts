import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { internalApiHeaders, newResourceId, type RunningService, TenantHeaders } from '@afternoon/service-kit';
import {
  collectTopic,
  customerCreatedRecord,
  dropSchemas,
  eventually,
  produce,
  serviceEnv,
  testInternalApiToken,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeteringService } from '../app';

const organizationId = 'org_metering_test';

function usage(
  customerId: string,
  key: string,
  properties: Record<string, unknown> = { tokens: 1 },
  overrides: { organization_id?: string; timestamp?: string } = {},
) {
  return {
    key: customerId,
    value: JSON.stringify({
      organization_id: organizationId,
      mode: 'live',
      event_name: 'api.request',
      idempotency_key: key,
      customer_id: customerId,
      timestamp: '2026-01-15T10:30:00Z',
      properties,
      received_at: '2026-01-15T10:30:01Z',
      ...overrides,
    }),
  };
}

describe('metering usage from the ingest topic', () => {
  const schema = uniqueName('metering');
  let service: RunningService;
  let base: string;

  beforeAll(async () => {
    service = await startMeteringService(serviceEnv(schema, `${uniqueName('t')}.`));
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service.stop();
    await dropSchemas(schema);
  });

  const tenantHeaders = {
    ...internalApiHeaders(testInternalApiToken),
    [TenantHeaders.organizationId]: organizationId,
    [TenantHeaders.mode]: 'live',
  };

  it('stores raw records once, and refuses bad, unknown-customer and conflicting ones to the DLQ and the rejected list', async () => {
    const customerId = newResourceId();
    const strangerId = newResourceId();
    const deadLetters = await collectTopic(service.kafka.topic(Topics.usageIngestDeadLetter));
    try {
      await produce(service.kafka.topic(Topics.customerEvents), [
        customerCreatedRecord({ organizationId, mode: 'live' }, customerId),
        customerCreatedRecord({ organizationId: 'org_someone_else', mode: 'live' }, strangerId),
      ]);
      await produce(service.kafka.topic(Topics.usageIngest), [
        usage(customerId, 'k1', { tokens: 0.1 }),
        usage(customerId, 'k2', { tokens: 0.2, model: 'gpt-4' }),
        usage(customerId, 'k1', { tokens: 0.1 }),
        usage(customerId, 'k2', { tokens: 99 }),
        usage(strangerId, 'k3'),
        { key: customerId, value: '{not json' },
        { key: customerId, value: JSON.stringify({ organization_id: organizationId, mode: 'live', event_name: '' }) },
      ]);

      const rejected = await eventually(
        async () => {
          const response = await fetch(`${base}/rejected-events`, { headers: tenantHeaders });
          const body = (await response.json()) as { rejected_events: Array<{ reason: string }> };
          expect(body.rejected_events).toHaveLength(3);
          return body.rejected_events;
        },
        { label: 'rejected events listed' },
      );
      expect(rejected.map((row) => row.reason)).toEqual(
        expect.arrayContaining([
          'duplicate idempotency_key with different content',
          expect.stringMatching(/^invalid usage record: event_name/),
          `unknown customer: ${strangerId}`,
        ]),
      );

      const { rows } = await service.pool.query(
        'SELECT idempotency_key, properties FROM usage_events ORDER BY idempotency_key',
      );
      expect(rows).toEqual([
        { idempotency_key: 'k1', properties: { tokens: 0.1 } },
        { idempotency_key: 'k2', properties: { tokens: 0.2, model: 'gpt-4' } },
      ]);

      await eventually(() => expect(deadLetters.messages).toHaveLength(4), { label: 'dead letters' });
      // Each dead letter carries its reason's code beside the text, so a reader never has to infer one from the other.
      const reasons = deadLetters.messages.map(({ headers }) => [
        headers[Headers.deadLetterReasonCode],
        headers[Headers.deadLetterReason],
      ]);
      expect(reasons).toEqual(
        expect.arrayContaining([
          ['conflicting_duplicate', 'duplicate idempotency_key with different content'],
          ['invalid_record', expect.stringMatching(/^invalid usage record: record: /)],
          ['invalid_record', expect.stringMatching(/^invalid usage record: event_name/)],
          ['unknown_customer', `unknown customer: ${strangerId}`],
        ]),
      );

      // A key stored by an earlier batch, sent again with different content, is refused too.
      await produce(service.kafka.topic(Topics.usageIngest), [usage(customerId, 'k1', { tokens: 7 })]);
      await eventually(() => expect(deadLetters.messages).toHaveLength(5), { label: 'later conflict dead-lettered' });
      const batched = (await service.metrics.recordsHandled.get()).values.filter(
        (value) => value.labels.type === 'batch' && value.labels.outcome === 'handled',
      );
      expect(batched.reduce((sum, value) => sum + value.value, 0)).toBeGreaterThan(0);

      const sums = await fetch(`${base}/customers/${customerId}/usage`, { headers: tenantHeaders });
      // 0.1 + 0.2 = 0.3 exactly, summed as numeric
      expect(await sums.json()).toMatchObject({ usage: { count: 2, sums: { tokens: '0.3' } } });
    } finally {
      await deadLetters.stop();
    }
  });

  it('refuses a record dated more than 5 minutes after its received_at or before the floor, storing the one beside them', async () => {
    const organization = 'org_metering_timestamps';
    const customerId = newResourceId();
    const deadLetters = await collectTopic(service.kafka.topic(Topics.usageIngestDeadLetter));
    try {
      await produce(service.kafka.topic(Topics.customerEvents), [
        customerCreatedRecord({ organizationId: organization, mode: 'live' }, customerId),
      ]);
      const dated = (key: string, timestamp: string) =>
        usage(customerId, key, { tokens: 1 }, { organization_id: organization, timestamp });
      await produce(service.kafka.topic(Topics.usageIngest), [
        // received at 10:30:01, so 10:35:02 is 5 minutes and 1 second ahead of it
        dated('future', '2026-01-15T10:35:02Z'),
        dated('too-old', '1999-12-31T23:59:59Z'),
        dated('on-time', '2026-01-15T10:35:01Z'),
      ]);

      const rejected = await eventually(
        async () => {
          const response = await fetch(`${base}/rejected-events`, {
            headers: {
              ...internalApiHeaders(testInternalApiToken),
              [TenantHeaders.organizationId]: organization,
              [TenantHeaders.mode]: 'live',
            },
          });
          const body = (await response.json()) as { rejected_events: Array<{ reason: string; record: string }> };
          expect(body.rejected_events).toHaveLength(2);
          return body.rejected_events;
        },
        { label: 'mis-dated records listed' },
      );
      const reasonByKey = Object.fromEntries(
        rejected.map((row) => [(JSON.parse(row.record) as { idempotency_key: string }).idempotency_key, row.reason]),
      );
      expect(reasonByKey).toEqual({
        future: 'invalid usage record: timestamp: is more than 5 minutes in the future',
        'too-old': 'invalid usage record: timestamp: is before 2000-01-01T00:00:00Z',
      });

      const { rows } = await service.pool.query('SELECT idempotency_key FROM usage_events WHERE organization_id = $1', [
        organization,
      ]);
      expect(rows).toEqual([{ idempotency_key: 'on-time' }]);

      const ours = () => deadLetters.messages.filter((message) => message.key === customerId);
      await eventually(() => expect(ours()).toHaveLength(2), { label: 'mis-dated records dead-lettered' });
      expect(ours().map((message) => message.headers[Headers.deadLetterReason])).toEqual(
        expect.arrayContaining(Object.values(reasonByKey)),
      );
    } finally {
      await deadLetters.stop();
    }
  });

  const rejectedOf = async (organization: string) => {
    const response = await fetch(`${base}/rejected-events`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: organization,
        [TenantHeaders.mode]: 'live',
      },
    });
    return ((await response.json()) as { rejected_events: Array<{ reason: string; idempotency_key: string | null }> })
      .rejected_events;
  };
  const storedKeys = async (organization: string) =>
    (
      await service.pool.query<{ idempotency_key: string }>(
        'SELECT idempotency_key FROM usage_events WHERE organization_id = $1 ORDER BY idempotency_key',
        [organization],
      )
    ).rows.map((row) => row.idempotency_key);
  const deadLetteredByTheKit = async () =>
    (await service.metrics.recordsHandled.get()).values
      .filter((value) => value.labels.outcome === 'dead_lettered')
      .reduce((sum, value) => sum + value.value, 0);

  it('refuses a Kafka-direct record with NUL text into the rejected list at once, storing the next one beside it', async () => {
    const [sender, neighbour] = ['org_metering_nul', 'org_metering_nul_neighbour'];
    const [senderCustomer, neighbourCustomer] = [newResourceId(), newResourceId()];
    await produce(service.kafka.topic(Topics.customerEvents), [
      customerCreatedRecord({ organizationId: sender, mode: 'live' }, senderCustomer),
      customerCreatedRecord({ organizationId: neighbour, mode: 'live' }, neighbourCustomer),
    ]);
    const deadLetteredBefore = await deadLetteredByTheKit();
    // One key, so both land on one partition, the neighbour's record right behind the bad one.
    const samePartition = (record: { value: string }) => ({ ...record, key: neighbourCustomer });
    await produce(service.kafka.topic(Topics.usageIngest), [
      samePartition(usage(senderCustomer, 'nul', { model: 'gpt\u00004' }, { organization_id: sender })),
      samePartition(usage(neighbourCustomer, 'next', { tokens: 1 }, { organization_id: neighbour })),
    ]);

    await eventually(async () => expect(await storedKeys(neighbour)).toEqual(['next']), {
      timeout: 30_000,
      label: "the neighbour's record stored",
    });
    // Refused by its contract, never retried: nothing went the kit's way to the dead-letter topic. Still named by
    // the key its sender gave it, so the sender can find it.
    expect(await rejectedOf(sender)).toEqual([
      expect.objectContaining({
        idempotency_key: 'nul',
        customer_id: senderCustomer,
        reason: 'invalid usage record: properties.model: contains a NUL character (\\u0000), which cannot be stored',
      }),
    ]);
    expect(await storedKeys(sender)).toEqual([]);
    expect(await deadLetteredByTheKit()).toBe(deadLetteredBefore);
  });

  it('refuses a record whose value Postgres refuses, storing the rest of its batch without retrying it', async () => {
    const [sender, neighbour] = ['org_metering_refused', 'org_metering_refused_neighbour'];
    const [senderCustomer, neighbourCustomer] = [newResourceId(), newResourceId()];
    await produce(service.kafka.topic(Topics.customerEvents), [
      customerCreatedRecord({ organizationId: sender, mode: 'live' }, senderCustomer),
      customerCreatedRecord({ organizationId: neighbour, mode: 'live' }, neighbourCustomer),
    ]);
    // A stand-in for any value the contract lets through and a column refuses (SQLSTATE class 23).
    await service.pool.query(
      "ALTER TABLE usage_events ADD CONSTRAINT refuses_one_key CHECK (idempotency_key <> 'refused-by-store')",
    );
    try {
      const deadLetteredBefore = await deadLetteredByTheKit();
      const samePartition = (record: { value: string }) => ({ ...record, key: neighbourCustomer });
      await produce(service.kafka.topic(Topics.usageIngest), [
        samePartition(usage(senderCustomer, 'before', { tokens: 1 }, { organization_id: sender })),
        samePartition(usage(senderCustomer, 'refused-by-store', { tokens: 2 }, { organization_id: sender })),
        samePartition(usage(neighbourCustomer, 'after', { tokens: 3 }, { organization_id: neighbour })),
      ]);

      await eventually(async () => expect(await storedKeys(neighbour)).toEqual(['after']), {
        timeout: 2_500,
        label: "the neighbour's record stored promptly",
      });
      expect(await storedKeys(sender)).toEqual(['before']);
      expect(await rejectedOf(sender)).toEqual([
        expect.objectContaining({
          idempotency_key: 'refused-by-store',
          reason: expect.stringMatching(/^refused by the store: .*violates check constraint "refuses_one_key"/),
        }),
      ]);
      expect(await deadLetteredByTheKit()).toBe(deadLetteredBefore);
    } finally {
      await service.pool.query('ALTER TABLE usage_events DROP CONSTRAINT refuses_one_key');
    }
  });
});
