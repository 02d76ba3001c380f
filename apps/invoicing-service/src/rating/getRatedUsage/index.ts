import {
  type Denomination,
  type RatedUsage,
  type RatedUsageAnswer,
  type UsageCost,
  UsageRated,
} from '@afternoon/contracts/credits';
import { notifyWaiters, type Projection, type Queryable, type Tenant, type Transaction } from '@afternoon/service-kit';
import { apiAmount, negateDecimal, sumDecimals as sum } from '../amounts';

/**
 * The ledger as `UsageRated` events leave it: `rated_usage` (each event once, with its cost), `rating_totals` (each
 * rating key's quantity and what credits did not cover), `credit_debits` (one row per draw or return) and the grants'
 * `consumed`. A usage event already in `rated_usage` changes nothing, so applying an event twice is harmless.
 */
export const ratedUsageProjection: Projection = {
  name: 'rated_usage',
  // credit_grants for the `consumed` it moves; the grants' own projection fills the rest of each row.
  tables: ['rated_usage', 'rating_totals', 'credit_debits', 'credit_grants'],
  handles: ['UsageRated'],
  async apply(tx, stored) {
    const { data } = UsageRated.parse(stored);
    const tenant = { organizationId: stored.metadata.organization_id, mode: stored.metadata.mode };
    const fresh = await recordRated(tx, tenant, data.customer_id, data.rated);
    const rated = data.rated.filter((usage) => fresh.has(usage.usage_id));
    if (rated.length === 0) return;
    await addToTotals(tx, rated);
    await recordDebits(tx, { ...tenant, customerId: data.customer_id, position: stored.position }, rated);
  },
};

/** Inserts the rated events, answering the ids that were not there yet. */
async function recordRated(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  rated: readonly RatedUsage[],
): Promise<Set<string>> {
  const { rows } = await tx.query<{ usage_id: string }>(
    `INSERT INTO rated_usage (usage_id, organization_id, mode, customer_id, "timestamp", cost)
     SELECT usage_id, $1, $2, $3, at, cost FROM unnest($4::text[], $5::timestamptz[], $6::jsonb[]) AS r (usage_id, at, cost)
     ON CONFLICT (usage_id) DO NOTHING RETURNING usage_id`,
    [
      tenant.organizationId,
      tenant.mode,
      customerId,
      rated.map((usage) => usage.usage_id),
      rated.map((usage) => usage.timestamp),
      rated.map((usage) => JSON.stringify(costOf(usage))),
    ],
  );
  return new Set(rows.map((row) => row.usage_id));
}

/** Each key's quantity and owed (its costs less the credits they drew) summed over the events, one upsert a key. */
async function addToTotals(tx: Transaction, rated: readonly RatedUsage[]): Promise<void> {
  const byKey = new Map<string, { key: string[]; quantity: string; owed: string }>();
  const add = (key: string[], quantity: string, owed: string) => {
    const name = JSON.stringify(key);
    const before = byKey.get(name) ?? { key, quantity: '0', owed: '0' };
    byKey.set(name, { key, quantity: sum(before.quantity, quantity), owed: sum(before.owed, owed) });
  };
  for (const usage of rated) {
    for (const charge of usage.charges) add(keyOf(charge), charge.quantity, charge.cost);
    for (const debit of usage.debits) add(keyOf(debit), '0', negateDecimal(debit.amount));
  }
  const totals = [...byKey.values()];
  await tx.query(
    `INSERT INTO rating_totals (subscription_id, price_id, period_start, group_key, quantity, owed)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::numeric[], $6::numeric[])
     ON CONFLICT (subscription_id, price_id, period_start, group_key) DO UPDATE SET
       quantity = rating_totals.quantity + excluded.quantity, owed = rating_totals.owed + excluded.owed`,
    [0, 1, 2, 3]
      .map((index) => totals.map((total) => total.key[index]))
      .concat([totals.map((total) => total.quantity), totals.map((total) => total.owed)]),
  );
}

/** The ledger's rows, and each grant's `consumed` moved by what the events drew from it (less what they gave back). */
async function recordDebits(
  tx: Transaction,
  decided: Tenant & { customerId: string; position: string },
  rated: readonly RatedUsage[],
): Promise<void> {
  const rows = rated.flatMap((usage) => usage.debits.map((debit) => ({ usage, debit })));
  await tx.query(
    `INSERT INTO credit_debits (event_position, entry, usage_id, grant_id, organization_id, mode, customer_id,
       subscription_id, price_id, period_start, group_key, amount, effective_at)
     SELECT $1, entry - 1, usage_id, grant_id, $2, $3, $4, subscription_id, price_id, period_start, group_key, amount,
            effective_at
       FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::numeric[],
                   $12::timestamptz[])
         WITH ORDINALITY
         AS d (usage_id, grant_id, subscription_id, price_id, period_start, group_key, amount, effective_at, entry)`,
    [
      decided.position,
      decided.organizationId,
      decided.mode,
      decided.customerId,
      rows.map(({ usage }) => usage.usage_id),
      rows.map(({ debit }) => debit.grant_id),
      rows.map(({ debit }) => debit.subscription_id),
      rows.map(({ debit }) => debit.price_id),
      rows.map(({ debit }) => debit.period_start),
      rows.map(({ debit }) => debit.group_key),
      rows.map(({ debit }) => debit.amount),
      rows.map(({ usage }) => usage.timestamp),
    ],
  );
  const byGrant = new Map<string, string>();
  for (const { debit } of rows) byGrant.set(debit.grant_id, sum(byGrant.get(debit.grant_id) ?? '0', debit.amount));
  await tx.query(
    `UPDATE credit_grants g SET consumed = g.consumed + d.amount
       FROM unnest($1::text[], $2::numeric[]) AS d (grant_id, amount) WHERE g.id = d.grant_id`,
    [[...byGrant.keys()], [...byGrant.values()]],
  );
}

/** What the event cost per denomination its charges are in (zero where a charge cost nothing). */
function costOf(usage: RatedUsage): { denomination: Denomination; amount: string }[] {
  const byDenomination = new Map<string, { denomination: Denomination; amount: string }>();
  for (const charge of usage.charges) {
    const name = `${charge.denomination.type}:${charge.denomination.code}`;
    const before = byDenomination.get(name)?.amount ?? '0';
    byDenomination.set(name, { denomination: charge.denomination, amount: sum(before, charge.cost) });
  }
  return [...byDenomination.values()];
}

function keyOf(key: { subscription_id: string; price_id: string; period_start: string; group_key: string | null }) {
  return [key.subscription_id, key.price_id, key.period_start, key.group_key ?? ''];
}

/** What a rated usage event cost, in the API's amounts; undefined until it is rated. */
/** The channel the rating consumer notifies when it commits, for the reads waiting on a rated event. */
export const ratedUsageChannel = (schema: string) => `${schema}_rated_usage`;

/** Wakes the rated-usage waits of `schema` once the caller's (rating) transaction commits. */
export const notifyRatedUsage = (tx: Queryable, schema: string) => notifyWaiters(tx, ratedUsageChannel(schema));

export async function getRatedUsage(
  db: Queryable,
  tenant: Tenant,
  usageId: string,
): Promise<Omit<RatedUsageAnswer, 'balances' | 'as_of'> | undefined> {
  const { rows } = await db.query<{ usage_id: string; customer_id: string; cost: UsageCostRow[] }>(
    'SELECT usage_id, customer_id, cost FROM rated_usage WHERE usage_id = $1 AND organization_id = $2 AND mode = $3',
    [usageId, tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  if (!row) return undefined;
  const cost = row.cost.map(
    (entry): UsageCost => ({ denomination: entry.denomination, amount: apiAmount(entry.denomination, entry.amount) }),
  );
  return { usage_id: row.usage_id, customer_id: row.customer_id, cost };
}

interface UsageCostRow {
  denomination: Denomination;
  amount: string;
}
