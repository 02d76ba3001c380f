import type { ListWebhookEventsQuery, WebhookEvent, WebhookEventList } from '@afternoon/contracts/webhooks';
import { decodeCursor, keysetPage, type Queryable, SqlParameters, type Tenant } from '@afternoon/service-kit';

/**
 * How far back the log reaches, by the time each event's source record reached Kafka (`recorded_at`): an event's
 * own timestamp follows its customer's test clock, which may stand months from now, and would hide it or keep it.
 */
const eventsLogDays = 30;

/** `GET /events-log`: the tenant's events of the last 30 days, newest first, optionally of one type. */
export async function listWebhookEvents(
  db: Queryable,
  tenant: Tenant,
  query: ListWebhookEventsQuery,
): Promise<WebhookEventList> {
  const params = new SqlParameters();
  const conditions = [
    `organization_id = ${params.add(tenant.organizationId)}`,
    `mode = ${params.add(tenant.mode)}`,
    `recorded_at > now() - make_interval(days => ${params.add(eventsLogDays)})`,
  ];
  if (query.type) conditions.push(`type = ${params.add(query.type)}`);
  if (query.cursor) {
    const [recordedAt, id] = decodeCursor(query.cursor);
    conditions.push(`(recorded_at, id) < (${params.add(recordedAt)}::timestamptz, ${params.add(id)})`);
  }
  const { rows } = await db.query<{ id: string; recorded_at: Date; body: string }>(
    params.query(`SELECT id, recorded_at, body FROM webhook_events WHERE ${conditions.join(' AND ')}
                   ORDER BY recorded_at DESC, id DESC LIMIT ${params.add(query.limit + 1)}`),
  );
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.recorded_at.toISOString(), last.id]);
  // Parsed from the text its deliveries send, so the log shows the same keys in the same order.
  return { events: page.map((row) => JSON.parse(row.body) as WebhookEvent), pagination };
}
