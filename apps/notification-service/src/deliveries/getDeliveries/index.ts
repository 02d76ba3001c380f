import {
  type ListWebhookDeliveriesQuery,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookDeliveryList,
  WebhookStoredEvent,
} from '@afternoon/contracts/webhooks';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';

/**
 * `webhook_deliveries` (one row per delivery: its status and when it is due, the sender's schedule) and
 * `webhook_delivery_attempts` (the log). An endpoint disabled for failing fails its pending deliveries.
 */
export const deliveriesProjection: Projection = {
  name: 'webhook_deliveries',
  tables: ['webhook_deliveries', 'webhook_delivery_attempts'],
  handles: ['WebhookDeliveryScheduled', 'WebhookDeliveryAttempted', 'WebhookEndpointDisabled'],
  async apply(tx, stored) {
    const event = WebhookStoredEvent.parse(stored);
    const { organization_id, mode } = stored.metadata;
    switch (event.type) {
      case 'WebhookDeliveryScheduled': {
        const { data } = event;
        await tx.query(
          `INSERT INTO webhook_deliveries
             (id, organization_id, mode, endpoint_id, event_id, event_type, cause, status, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)
           ON CONFLICT (id) DO UPDATE SET status = 'pending', next_attempt_at = $8, leased_until = NULL`,
          [
            data.delivery_id,
            organization_id,
            mode,
            data.endpoint_id,
            data.event_id,
            data.event_type,
            data.cause,
            data.due_at,
            data.occurred_at,
          ],
        );
        return;
      }
      case 'WebhookDeliveryAttempted': {
        const { data } = event;
        const { attempt } = data;
        // Numbered by the event's place in the delivery's stream, so applying it twice logs it once.
        const logged = await tx.query(
          `INSERT INTO webhook_delivery_attempts (delivery_id, number, organization_id, mode, endpoint_id,
             attempted_at, succeeded, response_status, latency_ms, response_body, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
          [
            data.delivery_id,
            stored.version,
            organization_id,
            mode,
            data.endpoint_id,
            attempt.attempted_at,
            data.outcome === 'succeeded',
            attempt.response_status,
            attempt.latency_ms,
            attempt.response_body,
            attempt.error,
          ],
        );
        if (logged.rowCount === 0) return;
        await tx.query(
          `UPDATE webhook_deliveries
              SET status = $2, attempt_count = attempt_count + 1, next_attempt_at = $3, leased_until = NULL
            WHERE id = $1 AND organization_id = $4 AND mode = $5`,
          [
            data.delivery_id,
            data.outcome === 'retrying' ? 'pending' : data.outcome,
            data.next_attempt_at,
            organization_id,
            mode,
          ],
        );
        return;
      }
      case 'WebhookEndpointDisabled':
        await tx.query(
          `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, leased_until = NULL
            WHERE endpoint_id = $1 AND organization_id = $2 AND mode = $3 AND status = 'pending'`,
          [event.data.endpoint_id, organization_id, mode],
        );
        return;
      case 'WebhookEndpointCreated':
      case 'WebhookEndpointUpdated':
      case 'WebhookEndpointDeleted':
      case 'WebhookSecretRotated':
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookDelivery['event_type'];
  status: WebhookDelivery['status'];
  next_attempt_at: Date | null;
  created_at: Date;
  attempts: WebhookAttempt[];
}

// The attempts are read in the same statement as their delivery, so the two always agree (a recording commits both).
const deliveryColumns = `id, endpoint_id, event_id, event_type, status, next_attempt_at, created_at,
  coalesce((SELECT json_agg(json_build_object(
      'attempted_at', to_char(a.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'response_status', a.response_status, 'latency_ms', a.latency_ms, 'response_body', a.response_body,
      'error', a.error) ORDER BY a.number)
    FROM webhook_delivery_attempts a WHERE a.delivery_id = webhook_deliveries.id), '[]') AS attempts`;

export async function getDelivery(db: Queryable, tenant: Tenant, id: string): Promise<WebhookDelivery | undefined> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${deliveryColumns} FROM webhook_deliveries WHERE id = $1 AND organization_id = $2 AND mode = $3`,
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0] && toDelivery(rows[0]);
}

/** An endpoint's deliveries, newest first, each with its attempts in order. */
export async function listDeliveries(
  db: Queryable,
  tenant: Tenant,
  endpointId: string,
  query: ListWebhookDeliveriesQuery,
): Promise<WebhookDeliveryList> {
  const listing = newestFirstSql({
    select: deliveryColumns,
    from: 'webhook_deliveries',
    tenant,
    filters: { endpoint_id: endpointId, status: query.status },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<DeliveryRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { deliveries: page.map(toDelivery), pagination };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}
