import type { MeterDefinition } from '@afternoon/contracts/meters';
import {
  internalApiHeaders,
  newResourceId,
  type RunningService,
  type Tenant,
  TenantHeaders,
} from '@afternoon/service-kit';
import { commandRecord, type TestRecord, testInternalApiToken } from '@afternoon/testkit';

/** A CreateMeter command as the gateway sends it to the meter commands topic. */
export function createMeterCommand(tenant: Tenant, definition: MeterDefinition): TestRecord {
  return commandRecord(tenant, definition.code, 'CreateMeter', { meter_id: newResourceId(), definition });
}

/** GETs a path of a running metering service's internal read API as a tenant; the status and parsed body. */
export async function readAs(
  service: RunningService,
  tenant: Tenant,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
    headers: {
      ...internalApiHeaders(testInternalApiToken),
      [TenantHeaders.organizationId]: tenant.organizationId,
      [TenantHeaders.mode]: tenant.mode,
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
