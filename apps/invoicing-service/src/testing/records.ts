import { randomUUID } from 'node:crypto';
import { customerEventWireNames } from '@afternoon/contracts/customers';
import type { Tenant } from '@afternoon/service-kit';

/** A record as invoicing's tests produce it. */
export interface TestRecord {
  key: string;
  value: string;
}

/** customer-service's CustomerCreated as it appears on the customer events topic. */
export function customerCreatedRecord(tenant: Tenant, customerId: string, name: string): TestRecord {
  const at = new Date().toISOString();
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
      },
      metadata: {
        organization_id: tenant.organizationId,
        mode: tenant.mode,
        occurred_at: at,
        correlation_id: 'test',
        causation_id: 'test',
      },
    }),
  };
}

/** A command as the gateway sends it to invoicing's commands topic, keyed as the gateway keys it. */
export function invoicingCommandRecord(tenant: Tenant, key: string, type: string, data: unknown): TestRecord {
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
