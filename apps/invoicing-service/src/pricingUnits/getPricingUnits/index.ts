import {
  type ListPricingUnitsQuery,
  type PricingUnit,
  PricingUnitEvent,
  type PricingUnitList,
} from '@afternoon/contracts/pricingUnits';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';

/** `pricing_units`: one row per pricing unit, as created (a pricing unit never changes). */
export const pricingUnitsProjection: Projection = {
  name: 'pricing_units',
  tables: ['pricing_units'],
  handles: ['PricingUnitCreated'],
  async apply(tx, stored) {
    const event = PricingUnitEvent.parse(stored);
    const { pricing_unit_id, code, name, currency_conversion, created_at } = event.data;
    await tx.query(
      `INSERT INTO pricing_units (id, organization_id, mode, code, name, currency_conversion, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [
        pricing_unit_id,
        stored.metadata.organization_id,
        stored.metadata.mode,
        code,
        name,
        currency_conversion && JSON.stringify(currency_conversion),
        created_at,
      ],
    );
  },
};

const columns = 'id, code, name, currency_conversion, created_at';

export async function getPricingUnit(db: Queryable, tenant: Tenant, code: string): Promise<PricingUnit | undefined> {
  const { rows } = await db.query<PricingUnitRow>(
    `SELECT ${columns} FROM pricing_units WHERE organization_id = $1 AND mode = $2 AND code = $3`,
    [tenant.organizationId, tenant.mode, code],
  );
  return rows[0] && toPricingUnit(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listPricingUnits(
  db: Queryable,
  tenant: Tenant,
  query: ListPricingUnitsQuery,
): Promise<PricingUnitList> {
  const listing = newestFirstSql({
    select: columns,
    from: 'pricing_units',
    tenant,
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<PricingUnitRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { pricing_units: page.map(toPricingUnit), pagination };
}

interface PricingUnitRow {
  id: string;
  code: string;
  name: string;
  currency_conversion: PricingUnit['currency_conversion'];
  created_at: Date;
}

function toPricingUnit(row: PricingUnitRow): PricingUnit {
  return { ...row, created_at: row.created_at.toISOString() };
}
