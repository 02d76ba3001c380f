import type {
  ListWebhookEndpointsQuery,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointUpdated,
} from '@afternoon/contracts/webhooks';
import {
  keysetPage,
  newestFirstSql,
  type Projection,
  type Queryable,
  SqlParameters,
  type StoredEvent,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { WebhookEndpointEvent } from '../webhookEndpoint';

/** The `webhook_endpoints` table: one row per registered endpoint, with the secrets the sender signs with. */
export const webhookEndpointsProjection: Projection = {
  name: 'webhook_endpoints',
  tables: ['webhook_endpoints'],
  handles: WebhookEndpointEvent.options.map((option) => option.shape.type.value),
  async apply(tx, stored) {
    const event = WebhookEndpointEvent.parse(stored);
    const id = event.data.endpoint_id;
    const at = event.data.occurred_at;
    switch (event.type) {
      case 'WebhookEndpointCreated': {
        const { url, enabled_events, description, metadata, secret } = event.data;
        await tx.query(
          `INSERT INTO webhook_endpoints (id, organization_id, mode, url, enabled_events, description, metadata, secret,
             created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (id) DO NOTHING`,
          [id, ...tenantOf(stored), url, enabled_events, description, JSON.stringify(metadata), secret, at],
        );
        return;
      }
      case 'WebhookEndpointUpdated':
        await applyUpdate(tx, stored, event.data);
        return;
      case 'WebhookSecretRotated':
        await tx.query(
          `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = $4, secret = $5,
             updated_at = $6 WHERE id = $1 AND organization_id = $2 AND mode = $3`,
          [id, ...tenantOf(stored), event.data.previous_expires_at, event.data.secret, at],
        );
        return;
      case 'WebhookEndpointDisabled':
        await tx.query(
          `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'failing', updated_at = $4
            WHERE id = $1 AND organization_id = $2 AND mode = $3`,
          [id, ...tenantOf(stored), at],
        );
        return;
      case 'WebhookEndpointDeleted':
        await tx.query('DELETE FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 AND mode = $3', [
          id,
          ...tenantOf(stored),
        ]);
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

async function applyUpdate(tx: Transaction, stored: StoredEvent, data: WebhookEndpointUpdated['data']) {
  const { url, enabled_events, description, metadata, enabled } = data.changes;
  const params = new SqlParameters();
  const assignments = [`updated_at = ${params.add(data.occurred_at)}`];
  if (url !== undefined) assignments.push(`url = ${params.add(url)}`);
  if (enabled_events !== undefined) assignments.push(`enabled_events = ${params.add(enabled_events)}`);
  if (description !== undefined) assignments.push(`description = ${params.add(description)}`);
  if (metadata !== undefined) assignments.push(`metadata = ${params.add(JSON.stringify(metadata))}`);
  if (enabled === true) assignments.push(`status = 'enabled', disabled_reason = NULL`);
  if (enabled === false) assignments.push(`status = 'disabled', disabled_reason = 'by_request'`);
  const [organizationId, mode] = tenantOf(stored);
  await tx.query(
    params.query(`UPDATE webhook_endpoints SET ${assignments.join(', ')}
       WHERE id = ${params.add(data.endpoint_id)} AND organization_id = ${params.add(organizationId)}
         AND mode = ${params.add(mode)}`),
  );
}

export async function getWebhookEndpoint(
  db: Queryable,
  tenant: Tenant,
  id: string,
): Promise<WebhookEndpoint | undefined> {
  const { rows } = await db.query<WebhookEndpointRow>(
    `SELECT ${publicColumns} FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 AND mode = $3`,
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0] && toWebhookEndpoint(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listWebhookEndpoints(
  db: Queryable,
  tenant: Tenant,
  query: ListWebhookEndpointsQuery,
): Promise<WebhookEndpointList> {
  const listing = newestFirstSql({
    select: publicColumns,
    from: 'webhook_endpoints',
    tenant,
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<WebhookEndpointRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { webhook_endpoints: page.map(toWebhookEndpoint), pagination };
}

/**
 * The secrets an endpoint's deliveries are signed with at `at`: the current one, then the rotated-out one while it
 * has not expired. Empty for an endpoint that is not registered.
 */
export async function signingSecretsOf(db: Queryable, endpointId: string, at: Date): Promise<string[]> {
  const { rows } = await db.query<{ secret: string; previous_secret: string | null }>(
    `SELECT secret, CASE WHEN previous_secret_expires_at > $2 THEN previous_secret END AS previous_secret
       FROM webhook_endpoints WHERE id = $1`,
    [endpointId, at],
  );
  return rows.flatMap((row) => (row.previous_secret ? [row.secret, row.previous_secret] : [row.secret]));
}

// Never the secrets: what the read routes answer.
const publicColumns = 'id, url, enabled_events, description, metadata, status, disabled_reason, created_at, updated_at';

interface WebhookEndpointRow {
  id: string;
  url: string;
  enabled_events: string[];
  description: string | null;
  metadata: Record<string, string>;
  status: WebhookEndpoint['status'];
  disabled_reason: WebhookEndpoint['disabled_reason'];
  created_at: Date;
  updated_at: Date;
}

function toWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function tenantOf(stored: StoredEvent): [string, string] {
  return [stored.metadata.organization_id, stored.metadata.mode];
}
