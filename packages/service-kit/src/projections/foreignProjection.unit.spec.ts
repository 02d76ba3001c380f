import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import { Topics } from '@afternoon/contracts/topics';
import { customerCreatedRecord, customerDeletedRecord } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, RecordOutcome } from '../consumer/records';
import { PoisonRecordError } from '../errors';
import { newResourceId } from '../ids';
import { createLogger } from '../logger';
import type { Transaction } from '../postgres/database';
import type { ConsumerContext } from '../slices/slice';
import { type ForeignEventHandlers, type ForeignEventRunHandlers, foreignProjection } from './foreignProjection';

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

/** A projection of `customer.events` with these handlers. */
function customersProjection(
  handlers: ForeignEventHandlers<CustomerEvent>,
  runHandlers?: ForeignEventRunHandlers<CustomerEvent>,
) {
  return foreignProjection({
    name: 'customers',
    topic: Topics.customerEvents,
    deadLetterTopic: Topics.consumerDeadLetter,
    schema: CustomerEvent,
    wireNames: customerEventWireNames,
    handlers,
    runHandlers,
  });
}

describe('a projection of another service’s events', () => {
  const applied: string[] = [];
  const projection = customersProjection({
    CustomerCreated: async (_tx, event, { metadata, version }) => {
      applied.push(`created ${event.data.customer_id} v${version} for ${metadata.organization_id}`);
    },
    CustomerUpdated: async () => undefined,
    CustomerDeleted: async (_tx, event, { version, record }) => {
      applied.push(`deleted ${event.data.customer_id} v${version} at offset ${record.offset}`);
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

  it('applies each run of one type at once when the type has a run handler, the others one by one, in order', async () => {
    const calls: string[] = [];
    const batched = customersProjection(
      {
        CustomerCreated: async (_tx, event) => {
          calls.push(`created ${event.data.customer_id} alone`);
        },
        CustomerUpdated: async () => undefined,
        CustomerDeleted: async (_tx, event) => {
          calls.push(`deleted ${event.data.customer_id}`);
        },
      },
      {
        CustomerCreated: async (_tx, run) => {
          calls.push(`created ${run.map(({ event, source }) => `${event.data.customer_id}@${source.record.offset}`)}`);
        },
      },
    );
    const [c1, c2, c3] = [newResourceId(), newResourceId(), newResourceId()];
    const newer = { ...JSON.parse(customerCreatedRecord(tenant, c3).value), type: 'afternoon.customers.v2.merged' };
    const records = [
      customerCreatedRecord(tenant, c1).value,
      customerCreatedRecord(tenant, c2).value,
      customerDeletedRecord(tenant, c1, '2026-02-01T00:00:00Z').value,
      JSON.stringify(newer),
      customerCreatedRecord(tenant, c3).value,
    ].map((value, offset) => ({ ...consumed(value), offset: String(offset) }));
    const outcomes: RecordOutcome[] = [];
    await batched.handleBatch?.(tx, records, { logger: createLogger('kit-test', 'silent'), outcomes } as never);

    expect(calls).toEqual([`created ${c1}@0,${c2}@1`, `deleted ${c1}`, `created ${c3}@4`]);
    expect(outcomes.map(({ type, outcome }) => `${type} ${outcome}`)).toEqual([
      `${customerEventWireNames.CustomerCreated} handled`,
      `${customerEventWireNames.CustomerCreated} handled`,
      `${customerEventWireNames.CustomerDeleted} handled`,
      'unknown unknown_type',
      `${customerEventWireNames.CustomerCreated} handled`,
    ]);
  });

  it('has no batch handler of its own without run handlers (the kit then applies each record in turn)', () => {
    expect(projection.handleBatch).toBeUndefined();
  });
});
