import { Topics } from '@afternoon/contracts/topics';
import type { UsageRecord } from '@afternoon/contracts/usage';
import { newResourceId, type RunningService, type Tenant } from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAs } from '../../test/records';
import { activeMeter, insertMeter } from '../../test/storedRows';
import { startMeteringService } from '../app';

const tenant: Tenant = { organizationId: 'org_cutoff_clock', mode: 'live' };
const alice = newResourceId();

describe('the clock usage is received, billed and processed by', () => {
  const schema = uniqueName('metering_cutoff');
  const topicPrefix = `${uniqueName('cutoff')}.`;
  let service: RunningService;

  beforeAll(async () => {
    service = await startMeteringService(serviceEnv(schema, topicPrefix));
    await insertMeter(
      service.pool,
      tenant,
      activeMeter({
        code: 'calls',
        name: 'Calls',
        event_name: 'api.request',
        aggregation: 'count',
        property: null,
        filters: {},
        group_by: [],
      }),
    );
    await produce(`${topicPrefix}${Topics.customerEvents.name}`, [customerCreatedRecord(tenant, alice)]);
  });
  afterAll(async () => {
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** Alice's calls dated in the hour around `cutoff`, received within (after, through], as an invoice asks. */
  const callsReceived = async (cutoff: Date, after: Date | null, through: Date) => {
    const from = new Date(cutoff.getTime() - 3_600_000).toISOString();
    const to = new Date(cutoff.getTime() + 3_600_000).toISOString();
    const received = `${after ? `&received_after=${after.toISOString()}` : ''}&received_through=${through.toISOString()}`;
    const { status, body } = await readAs(
      service,
      tenant,
      `/customers/${alice}/meter-usage?meter=calls&from=${from}&to=${to}${received}`,
    );
    expect(status).toBe(200);
    return body.usage as { total: string; processed_through: string };
  };

  it('stores a record stamped before a cutoff but appended after it as received when appended: billed late, never on no invoice', async () => {
    const cutoff = new Date();
    // The invoice for the period reads its usage once metering has processed everything received by the cutoff.
    const invoiceRead = await eventually(
      async () => {
        const usage = await callsReceived(cutoff, null, cutoff);
        expect(Date.parse(usage.processed_through)).toBeGreaterThanOrEqual(cutoff.getTime());
        return usage;
      },
      { label: 'metering processed through the cutoff' },
    );

    // A producer that stamped the event a second before the cutoff, whose record reached the topic only now.
    const stamped = new Date(cutoff.getTime() - 1_000).toISOString();
    const record: UsageRecord = {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      event_name: 'api.request',
      idempotency_key: 'stamped_before_cutoff',
      customer_id: alice,
      timestamp: stamped,
      properties: {},
      received_at: stamped,
    };
    const producer = await service.kafka.createProducer();
    let appendedAt: Date;
    try {
      const [sent] = await producer.send({
        topic: service.kafka.topic(Topics.usageIngest),
        acks: -1,
        messages: [{ key: alice, value: JSON.stringify(record) }],
      });
      appendedAt = new Date(Number(sent?.logAppendTime));
    } finally {
      await producer.disconnect();
    }
    expect(appendedAt.getTime()).toBeGreaterThan(cutoff.getTime());

    const { rows } = await eventually(
      async () => {
        const stored = await service.pool.query<{ received_at: Date }>('SELECT received_at FROM usage_events');
        expect(stored.rows).toHaveLength(1);
        return stored;
      },
      { label: 'the event stored' },
    );
    expect(rows[0]?.received_at).toEqual(appendedAt);

    // The next invoice bills what arrived after the cutoff as late usage; the first one did not have it.
    const nextRead = await eventually(
      async () => {
        const usage = await callsReceived(cutoff, cutoff, appendedAt);
        expect(Date.parse(usage.processed_through)).toBeGreaterThanOrEqual(appendedAt.getTime());
        return usage;
      },
      { label: 'metering processed through the append' },
    );
    expect([invoiceRead.total, nextRead.total]).toEqual(['0', '1']);
    expect((await callsReceived(cutoff, null, cutoff)).total).toBe('0');
  });
});
