import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { Tenant, Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { endpointsTaking, scheduleDeliveries } from '../deliveries/scheduleDeliveries';
import { scheduleInvoiceEmails } from '../emails/scheduleInvoiceEmails';

export interface RecordingOptions {
  /** The log's time of the event; its own timestamp by default (a source record's Kafka time for the topics'). */
  recordedAt?: string;
  /** False while a rebuild replays records whose deliveries were scheduled the first time. */
  schedule?: boolean;
  /** The topic record it was made from, if any (`<topic>/<partition>/<offset>`). */
  source?: string;
  /** When its deliveries are due: now on the schedule's clock. */
  now?: Date;
}

/**
 * Records a catalog event in the tenant's events log, in the caller's transaction, and schedules its deliveries and
 * the customer's invoice email if it is new (their events queued on `outbox`); answers whether it was (an event with
 * its id recorded already changes nothing).
 */
export async function recordWebhookEvent(
  tx: Transaction,
  tenant: Tenant,
  event: WebhookEvent,
  outbox: DeliveryOutbox,
  { recordedAt = event.timestamp, schedule = true, source, now }: RecordingOptions = {},
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO webhook_events (id, organization_id, mode, type, version, occurred_at, body, recorded_at, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [
      event.id,
      tenant.organizationId,
      tenant.mode,
      event.type,
      event.version,
      event.timestamp,
      // The body of every delivery and of the log, once: the catalog's own key order, never re-serialized.
      JSON.stringify(event),
      recordedAt,
      source ?? null,
    ],
  );
  if (inserted.rowCount === 0) return false;
  if (!schedule) return true;
  await scheduleDeliveries(tx, tenant, event, outbox, now);
  await scheduleInvoiceEmails(tx, tenant, event, outbox, now);
  return true;
}

/** A catalog event to record with `recordWebhookEvents`, with where it came from and whether to schedule it. */
export interface EventToRecord {
  tenant: Tenant;
  event: WebhookEvent;
  recordedAt: string;
  source: string;
  schedule: boolean;
}

/**
 * `recordWebhookEvent` for a batch's events, in order, inserted in one statement: the deliveries and emails of those
 * new are scheduled as that one schedules them, with each tenant's endpoints for a type read once.
 */
export async function recordWebhookEvents(
  tx: Transaction,
  events: readonly EventToRecord[],
  outbox: DeliveryOutbox,
  now: Date,
): Promise<void> {
  const ids = new Set<string>();
  const firstOfEach = events.filter(({ event }) => {
    if (ids.has(event.id)) return false;
    ids.add(event.id);
    return true;
  });
  if (firstOfEach.length === 0) return;
  const column = <T>(value: (entry: EventToRecord) => T) => firstOfEach.map(value);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO webhook_events (id, organization_id, mode, type, version, occurred_at, body, recorded_at, source)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::text[],
                          $8::timestamptz[], $9::text[])
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [
      column(({ event }) => event.id),
      column(({ tenant }) => tenant.organizationId),
      column(({ tenant }) => tenant.mode),
      column(({ event }) => event.type),
      column(({ event }) => event.version),
      column(({ event }) => event.timestamp),
      column(({ event }) => JSON.stringify(event)),
      column(({ recordedAt }) => recordedAt),
      column(({ source }) => source),
    ],
  );
  const inserted = new Set(rows.map((row) => row.id));
  const endpoints = new Map<string, Promise<string[]>>();
  const endpointsOf = ({ tenant, event }: EventToRecord) => {
    const key = JSON.stringify([tenant.organizationId, tenant.mode, event.type]);
    let ids = endpoints.get(key);
    if (!ids) {
      ids = endpointsTaking(tx, tenant, event.type);
      endpoints.set(key, ids);
    }
    return ids;
  };
  for (const entry of firstOfEach) {
    if (!inserted.has(entry.event.id) || !entry.schedule) continue;
    await scheduleDeliveries(tx, entry.tenant, entry.event, outbox, now, await endpointsOf(entry));
    await scheduleInvoiceEmails(tx, entry.tenant, entry.event, outbox, now);
  }
}
