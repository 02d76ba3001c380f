import type { Tenant, Transaction } from '@afternoon/service-kit';
import { announceOwnEvent } from '../catalog/announceOwnEvent';
import type { DeliveryOutbox } from './deliveryEvents';
import { recordDeliveryEvents } from './deliveryEvents';
import { hasFailedTooLong } from './retrySchedule';

/** The endpoints slice's aggregate: its stream, which a failing endpoint's disabling is appended to. */
export const endpointStream = (endpointId: string) => `webhook_endpoint-${endpointId}`;

/**
 * After a failed attempt at `now`: disables the endpoint (`WebhookEndpointDisabled`, failing its pending deliveries)
 * when every attempt since its first failure at least 3 days ago has failed. The streak starts after the last
 * success and after the endpoint was last disabled (re-enabling starts a new one). Answers whether it disabled it.
 */
export async function disableIfFailingTooLong(
  tx: Transaction,
  outbox: DeliveryOutbox,
  tenant: Tenant,
  endpointId: string,
  now: Date,
): Promise<boolean> {
  const stream = endpointStream(endpointId);
  const endpoint = await tx.query<{ status: string; url: string }>(
    'SELECT status, url FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 AND mode = $3 FOR UPDATE',
    [endpointId, tenant.organizationId, tenant.mode],
  );
  if (endpoint.rows[0]?.status !== 'enabled') return false;
  const { rows } = await tx.query<{ failing_since: Date | null; version: number }>(
    `SELECT (SELECT min(attempted_at) FROM webhook_delivery_attempts
              WHERE endpoint_id = $1 AND organization_id = $2 AND mode = $3 AND NOT succeeded
                AND attempted_at > coalesce(
                  (SELECT max(attempted_at) FROM webhook_delivery_attempts
                    WHERE endpoint_id = $1 AND organization_id = $2 AND mode = $3 AND succeeded), '-infinity')
                AND attempted_at > coalesce(
                  (SELECT max((data->>'occurred_at')::timestamptz) FROM events
                    WHERE stream_id = $4 AND type = 'WebhookEndpointDisabled'), '-infinity')) AS failing_since,
            (SELECT coalesce(max(version), 0)::int FROM events WHERE stream_id = $4) AS version`,
    [endpointId, tenant.organizationId, tenant.mode, stream],
  );
  const failingSince = rows[0]?.failing_since;
  if (!failingSince || !hasFailedTooLong(failingSince, now)) return false;
  const [disabled] = await recordDeliveryEvents(
    tx,
    outbox,
    stream,
    rows[0]?.version ?? 0,
    [
      {
        type: 'WebhookEndpointDisabled',
        data: {
          endpoint_id: endpointId,
          reason: 'failing',
          failing_since: failingSince.toISOString(),
          occurred_at: now.toISOString(),
        },
      },
    ],
    {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      occurred_at: now.toISOString(),
      correlation_id: `${stream}-failing`,
      causation_id: `${stream}-failing-since-${failingSince.toISOString()}`,
    },
  );
  if (disabled) {
    const data = { endpoint_id: endpointId, url: endpoint.rows[0].url, failing_since: failingSince.toISOString() };
    await announceOwnEvent(tx, outbox, tenant, disabled, { type: 'webhook_endpoint.disabled', data }, now);
  }
  return true;
}
