import type { Mode } from '@afternoon/contracts/common';
import { customerEventWireNames } from '@afternoon/contracts/customers';
import type { MeterDefinition } from '@afternoon/contracts/meters';
import { newResourceId, type RunningService, type Tenant, TenantHeaders } from '@afternoon/service-kit';

/** A record as metering's tests produce it. */
export interface TestRecord {
  key: string;
  value: string;
}

const eventMetadata = (organizationId: string, mode: Mode, at: string) => ({
  organization_id: organizationId,
  mode,
  occurred_at: at,
  correlation_id: 'test',
  causation_id: 'test',
});

/** customer-service's CustomerCreated as it appears on the customer events topic. */
export function customerCreatedRecord(customerId: string, organizationId: string, mode: Mode = 'live'): TestRecord {
  const at = '2026-01-01T00:00:00.000Z';
  const details = { name: 'Acme Corp', first_name: null, last_name: null, email: null, phone: null, url: null };
  return {
    key: customerId,
    value: JSON.stringify({
      event_id: newResourceId(),
      type: customerEventWireNames.CustomerCreated,
      stream_id: customerId,
      version: 1,
      data: {
        customer_id: customerId,
        created_at: at,
        details: { ...details, external_id: null, billing_address: null, shipping_address: null, metadata: {} },
      },
      metadata: eventMetadata(organizationId, mode, at),
    }),
  };
}

/** customer-service's CustomerDeleted, the customer's second event. */
export function customerDeletedRecord(
  customerId: string,
  organizationId: string,
  deletedAt: string,
  mode: Mode = 'live',
): TestRecord {
  return {
    key: customerId,
    value: JSON.stringify({
      event_id: newResourceId(),
      type: customerEventWireNames.CustomerDeleted,
      stream_id: customerId,
      version: 2,
      data: { customer_id: customerId, deleted_at: deletedAt },
      metadata: eventMetadata(organizationId, mode, deletedAt),
    }),
  };
}

/** A CreateMeter command as the gateway sends it to the meter commands topic. */
export function createMeterCommand(tenant: Tenant, definition: MeterDefinition): TestRecord {
  const commandId = `cmd_${newResourceId()}`;
  return {
    key: definition.code,
    value: JSON.stringify({
      type: 'CreateMeter',
      data: { meter_id: newResourceId(), definition },
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

/** GETs a path of a running metering service's internal read API as a tenant; the status and parsed body. */
export async function readAs(
  service: RunningService,
  tenant: Tenant,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
    headers: { [TenantHeaders.organizationId]: tenant.organizationId, [TenantHeaders.mode]: tenant.mode },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
