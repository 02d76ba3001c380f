import type { Meter, MeterDefinition } from '@afternoon/contracts/meters';
import { newResourceId, type Queryable, type Tenant } from '@afternoon/service-kit';

/** A usage event as specs write it straight into `usage_events`, bypassing Kafka. */
export interface StoredUsageEvent {
  key: string;
  eventName: string;
  customerId: string;
  timestamp: string;
  properties: Record<string, unknown>;
  receivedAt: string;
}

export function insertUsageEvent(db: Queryable, tenant: Tenant, event: StoredUsageEvent) {
  return db.query(
    `INSERT INTO usage_events (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp",
                               properties, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      tenant.organizationId,
      tenant.mode,
      event.key,
      event.eventName,
      event.customerId,
      event.timestamp,
      JSON.stringify(event.properties),
      event.receivedAt,
    ],
  );
}

/** An active meter of `definition`, as the meters projection returns one. */
export function activeMeter(definition: MeterDefinition): Meter {
  const at = '2026-01-01T00:00:00.000Z';
  return { id: newResourceId(), ...definition, status: 'active', created_at: at, updated_at: at, archived_at: null };
}

/** An active meter written straight into `meters`, as its projection would hold it. */
export function insertMeter(db: Queryable, tenant: Tenant, meter: Meter) {
  return db.query(
    `INSERT INTO meters (id, organization_id, mode, code, name, event_name, aggregation, property, filters, group_by,
                         status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11)`,
    [
      meter.id,
      tenant.organizationId,
      tenant.mode,
      meter.code,
      meter.name,
      meter.event_name,
      meter.aggregation,
      meter.property,
      JSON.stringify(meter.filters),
      JSON.stringify(meter.group_by),
      meter.created_at,
    ],
  );
}
