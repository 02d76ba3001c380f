import { randomUUID } from 'node:crypto';
import type { Tenant } from '@afternoon/service-kit';
import type { TestRecord } from '@afternoon/testkit';

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
