import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import { Topics } from '@afternoon/contracts/topics';
import { customerCreatedRecord, customerDeletedRecord } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../consumer/records';
import { PoisonRecordError } from '../errors';
import { newResourceId } from '../ids';
import type { Transaction } from '../postgres/database';
import type { ConsumerContext } from '../slices/slice';
import { foreignProjection } from './foreignProjection';

const tenant = { organizationId: 'org_foreign', mode: 'live' as const };
const tx = {} as Transaction;

function consumed(value: string): ConsumedRecord {
  return {
    topic: 'customer.events',
    partition: 0,
    offset: '7',
    timestamp: '1767225600000',
    key: 'c',
    value,
    headers: {},
  };
}

/** What the projection told the consumer about each record: its type label, or that it skipped it. */
function recordContext() {
  const told: string[] = [];
  const context = { setType: (type: string) => told.push(type), skip: () => told.push('skipped') };
  return { told, context: context as unknown as ConsumerContext };
}

describe('a projection of another service’s events', () => {
  const applied: string[] = [];
  const projection = foreignProjection({
    name: 'customers',
    topic: Topics.customerEvents,
    deadLetterTopic: Topics.consumerDeadLetter,
    schema: CustomerEvent,
    wireNames: customerEventWireNames,
    handlers: {
      CustomerCreated: async (_tx, event, { metadata, version }) => {
        applied.push(`created ${event.data.customer_id} v${version} for ${metadata.organization_id}`);
      },
      CustomerUpdated: async () => undefined,
      CustomerDeleted: async (_tx, event, { version, record }) => {
        applied.push(`deleted ${event.data.customer_id} v${version} at offset ${record.offset}`);
      },
    },
  });

  it('consumes the other service’s topic into this service’s own consumer', () => {
    expect(projection).toMatchObject({ name: 'customers', topics: [Topics.customerEvents] });
    expect(projection.deadLetterTopic).toBe(Topics.consumerDeadLetter);
  });

  it('hands each event to the handler of its type, with its version and metadata, labelled by its wire name', async () => {
    applied.length = 0;
    const { told, context } = recordContext();
    const id = newResourceId();
    await projection.handle(tx, consumed(customerCreatedRecord(tenant, id).value), context);
    await projection.handle(tx, consumed(customerDeletedRecord(tenant, id, '2026-02-01T00:00:00Z').value), context);
    expect(applied).toEqual([`created ${id} v1 for org_foreign`, `deleted ${id} v2 at offset 7`]);
    expect(told).toEqual([customerEventWireNames.CustomerCreated, customerEventWireNames.CustomerDeleted]);
  });

  it('skips an event type its contract does not name yet, and refuses a record that breaks the contract', async () => {
    applied.length = 0;
    const { told, context } = recordContext();
    const newer = {
      ...JSON.parse(customerCreatedRecord(tenant, newResourceId()).value),
      type: 'afternoon.customers.v2.merged',
    };
    await projection.handle(tx, consumed(JSON.stringify(newer)), context);
    expect(told).toEqual(['skipped']);
    await expect(projection.handle(tx, consumed('not json'), context)).rejects.toBeInstanceOf(PoisonRecordError);
    expect(applied).toEqual([]);
  });
});
