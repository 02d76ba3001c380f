import { fileURLToPath } from 'node:url';
import { customerEventWireNames } from '@afternoon/contracts/customers';
import type { EventRecord } from '@afternoon/contracts/messaging';
import { testClockEventWireNames } from '@afternoon/contracts/testClocks';
import {
  type ConsumedRecord,
  createLogger,
  createPool,
  migrate,
  type RecordHandler,
  withTransaction,
} from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCustomerEvent, applyTestClockEvent } from './usageCustomers';

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));
const customerId = 'cm5x9z8nv0000h85r7l9p2k1m';
const clockId = 'tc5x9z8nv0000h85r7l9p2k1m';
const metadata = {
  organization_id: 'org_usage',
  mode: 'test',
  occurred_at: '2026-01-01T00:00:00.000Z',
  correlation_id: 'req_1',
  causation_id: 'cmd_1',
} as const;

function recordOf(type: string, version: number, data: unknown): ConsumedRecord {
  const event: EventRecord = { event_id: `${type}-${version}`, type, stream_id: 's', version, data, metadata };
  return { topic: 't', partition: 0, offset: '0', timestamp: '0', key: 's', value: JSON.stringify(event), headers: {} };
}

describe("the gateway's usage customers projection", () => {
  const schema = uniqueName('gateway_usage_customers');
  const pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'usage-customers-spec' });
  const skipped: string[] = [];
  const apply = (handle: RecordHandler, record: ConsumedRecord) =>
    withTransaction(pool, (tx) =>
      handle(tx, record, {
        logger: createLogger('usage-customers-spec', 'silent'),
        setType: () => undefined,
        skip: () => skipped.push(record.value ?? ''),
      }),
    );

  beforeAll(() => migrate(pool, schema, migrationsDir));
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  it('keeps each customer with its clock and deletion, whatever is redelivered', async () => {
    const created = recordOf(customerEventWireNames.CustomerCreated, 1, {
      customer_id: customerId,
      details: {
        name: 'Clocked Co',
        first_name: null,
        last_name: null,
        email: null,
        phone: null,
        url: null,
        external_id: null,
        billing_address: null,
        shipping_address: null,
        metadata: {},
      },
      test_clock: clockId,
      created_at: metadata.occurred_at,
    });
    const deleted = recordOf(customerEventWireNames.CustomerDeleted, 2, {
      customer_id: customerId,
      deleted_at: metadata.occurred_at,
    });
    for (const record of [created, created, deleted, created, deleted]) await apply(applyCustomerEvent, record);
    const { rows } = await pool.query('SELECT id, organization_id, mode, test_clock_id, deleted FROM usage_customers');
    expect(rows).toEqual([
      { id: customerId, organization_id: 'org_usage', mode: 'test', test_clock_id: clockId, deleted: true },
    ]);
  });

  it("keeps each clock's latest time, skipping invoicing's other events", async () => {
    const created = recordOf(testClockEventWireNames.TestClockCreated, 1, {
      test_clock_id: clockId,
      name: null,
      frozen_time: '2027-01-01T00:00:00.000Z',
      created_at: metadata.occurred_at,
    });
    const advanced = (version: number, from: string, to: string) =>
      recordOf(testClockEventWireNames.TestClockAdvanced, version, {
        test_clock_id: clockId,
        from,
        frozen_time: to,
        advanced_at: metadata.occurred_at,
      });
    const first = advanced(2, '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z');
    const second = advanced(4, '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z');
    const invoiceEvent = recordOf('afternoon.invoicing.v1.invoice_created', 1, {});
    for (const record of [created, first, second, first, created]) await apply(applyTestClockEvent, record);
    await apply(applyTestClockEvent, invoiceEvent);
    const { rows } = await pool.query<{ frozen_time: Date }>('SELECT frozen_time FROM usage_test_clocks');
    expect(rows.map((row) => row.frozen_time.toISOString())).toEqual(['2027-03-01T00:00:00.000Z']);
    expect(skipped).toEqual([invoiceEvent.value]);
  });
});
