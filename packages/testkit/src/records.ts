import { randomUUID } from 'node:crypto';
import type { Mode } from '@afternoon/contracts/common';
import { customerEventWireNames } from '@afternoon/contracts/customers';

/** A Kafka record as tests produce it. */
export interface TestRecord {
  key: string;
  value: string;
}

interface RecordTenant {
  organizationId: string;
  mode: Mode;
}

const eventMetadata = (tenant: RecordTenant, at: string) => ({
  organization_id: tenant.organizationId,
  mode: tenant.mode,
  occurred_at: at,
  correlation_id: 'test',
  causation_id: 'test',
});

/** customer-service's CustomerCreated as it appears on the customer events topic. */
export function customerCreatedRecord(
  tenant: RecordTenant,
  customerId: string,
  { name = 'Acme Corp', at = '2026-01-01T00:00:00.000Z' }: { name?: string; at?: string } = {},
): TestRecord {
  const details = { name, first_name: null, last_name: null, email: null, phone: null, url: null };
  return {
    key: customerId,
    value: JSON.stringify({
      event_id: randomUUID(),
      type: customerEventWireNames.CustomerCreated,
      stream_id: customerId,
      version: 1,
      data: {
        customer_id: customerId,
        created_at: at,
        details: { ...details, external_id: null, billing_address: null, shipping_address: null, metadata: {} },
        test_clock: null,
      },
      metadata: eventMetadata(tenant, at),
    }),
  };
}

/** customer-service's CustomerDeleted, the customer's second event. */
export function customerDeletedRecord(tenant: RecordTenant, customerId: string, deletedAt: string): TestRecord {
  return {
    key: customerId,
    value: JSON.stringify({
      event_id: randomUUID(),
      type: customerEventWireNames.CustomerDeleted,
      stream_id: customerId,
      version: 2,
      data: { customer_id: customerId, deleted_at: deletedAt },
      metadata: eventMetadata(tenant, deletedAt),
    }),
  };
}

/** A command record as the gateway sends it to a service's commands topic, keyed by `key`. */
export function commandRecord(tenant: RecordTenant, key: string, type: string, data: unknown): TestRecord {
  const commandId = `cmd_${randomUUID()}`;
  return {
    key,
    value: JSON.stringify({
      type,
      data,
      metadata: {
        command_id: commandId,
        correlation_id: commandId,
        request_id: commandId,
        organization_id: tenant.organizationId,
        mode: tenant.mode,
        issued_at: new Date().toISOString(),
      },
    }),
  };
}
