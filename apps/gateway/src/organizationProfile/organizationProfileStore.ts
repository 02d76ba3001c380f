import type { OrganizationProfile, UpdateOrganizationProfileBody } from '@afternoon/contracts/organizationProfile';
import type { Queryable } from '@afternoon/service-kit';

interface ProfileRow {
  organization_id: string;
  organization_name: string;
  name: string | null;
  logo_url: string | null;
  accent_color: string | null;
  address: OrganizationProfile['address'];
  tax_id: string | null;
  support_email: string | null;
  updated_at: Date | null;
}

// Every column a PATCH may set, in the body's names; nothing else reaches the SQL.
const profileColumns = ['name', 'logo_url', 'accent_color', 'address', 'tax_id', 'support_email'] as const;

/** The organization's profile; an organization that never set one has its own name and nothing else. */
export async function readOrganizationProfile(
  db: Queryable,
  organizationId: string,
): Promise<OrganizationProfile | undefined> {
  const { rows } = await db.query<ProfileRow>(
    `SELECT o.id AS organization_id, o.name AS organization_name, p.name, p.logo_url, p.accent_color, p.address,
            p.tax_id, p.support_email, p.updated_at
       FROM organizations o LEFT JOIN organization_profiles p ON p.organization_id = o.id
      WHERE o.id = $1`,
    [organizationId],
  );
  return rows[0] && toProfile(rows[0]);
}

/**
 * Sets the fields the body names (`null` clears one) in one statement, so concurrent edits of other fields are kept,
 * and answers the profile as that statement left it.
 */
export async function updateOrganizationProfile(
  db: Queryable,
  organizationId: string,
  changes: UpdateOrganizationProfileBody,
): Promise<OrganizationProfile | undefined> {
  const named = profileColumns.filter((column) => changes[column] !== undefined);
  const values = named.map((column) => (column === 'address' ? JSON.stringify(changes.address) : changes[column]));
  const columns = ['organization_id', ...named].join(', ');
  const placeholders = ['$1', ...named.map((_, index) => `$${index + 2}`)].join(', ');
  const updates = [...named.map((column) => `${column} = EXCLUDED.${column}`), 'updated_at = now()'].join(', ');
  const { rows } = await db.query<ProfileRow>(
    `WITH saved AS (
       INSERT INTO organization_profiles (${columns}) VALUES (${placeholders})
       ON CONFLICT (organization_id) DO UPDATE SET ${updates}
       RETURNING *
     )
     SELECT o.id AS organization_id, o.name AS organization_name, p.name, p.logo_url, p.accent_color, p.address,
            p.tax_id, p.support_email, p.updated_at
       FROM saved p JOIN organizations o ON o.id = p.organization_id`,
    [organizationId, ...values],
  );
  return rows[0] && toProfile(rows[0]);
}

function toProfile(row: ProfileRow): OrganizationProfile {
  return {
    organization_id: row.organization_id,
    name: row.name ?? row.organization_name,
    logo_url: row.logo_url,
    accent_color: row.accent_color,
    address: row.address,
    tax_id: row.tax_id,
    support_email: row.support_email,
    updated_at: row.updated_at?.toISOString() ?? null,
  };
}
