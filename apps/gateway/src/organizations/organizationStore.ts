import type { Mode } from '@afternoon/contracts/common';
import type { ApiKey, ApiKeyPair, Organization } from '@afternoon/contracts/organizations';
import { newResourceId, type Queryable, withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';
import { generateApiKey, hashApiKey } from '../auth/apiKeys';

interface OrganizationRow {
  id: string;
  name: string;
  rate_limit_per_minute: number | null;
  created_at: Date;
}

const organizationColumns = 'id, name, rate_limit_per_minute, created_at';

interface ApiKeyRow {
  id: string;
  organization_id: string;
  mode: Mode;
  last4: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** Creates a tenant with one live and one test key; the keys are shown here once and never again. */
export async function createOrganization(
  pool: pg.Pool,
  name: string,
): Promise<{ organization: Organization; api_keys: ApiKeyPair }> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<OrganizationRow>(
      `INSERT INTO organizations (id, name) VALUES ($1, $2) RETURNING ${organizationColumns}`,
      [newResourceId(), name],
    );
    const row = rows[0]!;
    const live = await insertApiKey(tx, row.id, 'live');
    const test = await insertApiKey(tx, row.id, 'test');
    return { organization: toOrganization(row), api_keys: { live: live.key, test: test.key } };
  });
}

export async function listOrganizations(db: Queryable): Promise<Organization[]> {
  const { rows } = await db.query<OrganizationRow>(
    `SELECT ${organizationColumns} FROM organizations ORDER BY created_at, id`,
  );
  return rows.map(toOrganization);
}

/** Gives an organization its own requests per minute and mode (`null`: the gateway's default again). */
export async function setOrganizationRateLimit(
  db: Queryable,
  organizationId: string,
  perMinute: number | null,
): Promise<Organization | undefined> {
  const { rows } = await db.query<OrganizationRow>(
    `UPDATE organizations SET rate_limit_per_minute = $2 WHERE id = $1 RETURNING ${organizationColumns}`,
    [organizationId, perMinute],
  );
  return rows[0] && toOrganization(rows[0]);
}

/** The organization's own limit, or `null` when it follows the default (or is unknown). */
export async function organizationExists(db: Queryable, organizationId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM organizations WHERE id = $1', [organizationId]);
  return rowCount === 1;
}

export async function createApiKey(
  db: Queryable,
  organizationId: string,
  mode: Mode,
): Promise<ApiKey & { key: string }> {
  return insertApiKey(db, organizationId, mode);
}

export async function listApiKeys(db: Queryable, organizationId: string): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>(
    'SELECT id, organization_id, mode, last4, created_at, revoked_at FROM api_keys WHERE organization_id = $1 ORDER BY created_at, id',
    [organizationId],
  );
  return rows.map(toApiKey);
}

/** Revokes a key for good; revoking twice keeps the first revocation time. */
export async function revokeApiKey(db: Queryable, keyId: string): Promise<ApiKey | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
     RETURNING id, organization_id, mode, last4, created_at, revoked_at`,
    [keyId],
  );
  return rows[0] && toApiKey(rows[0]);
}

async function insertApiKey(db: Queryable, organizationId: string, mode: Mode): Promise<ApiKey & { key: string }> {
  const key = generateApiKey(mode);
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, organization_id, mode, key_hash, last4) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, organization_id, mode, last4, created_at, revoked_at`,
    [newResourceId(), organizationId, mode, hashApiKey(key), key.slice(-4)],
  );
  return { ...toApiKey(rows[0]!), key };
}

function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    rate_limit_per_minute: row.rate_limit_per_minute,
    created_at: row.created_at.toISOString(),
  };
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    organization_id: row.organization_id,
    mode: row.mode,
    last4: row.last4,
    created_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}
