import {
  type Denomination,
  type RatedUsage,
  type RatedUsageAnswer,
  type UsageCost,
  UsageRated,
} from '@afternoon/contracts/credits';
import {
  notifyWaiters,
  type Projection,
  type Queryable,
  type StoredEvent,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { apiAmount, negateDecimal, sumDecimals as sum } from '../amounts';

/**
 * The ledger as `UsageRated` events leave it: `rated_usage` (each event once, with its cost), `rating_totals` (each
 * rating key's quantity and what credits did not cover), `credit_debits` (one row per draw or return) and the grants'
 * `consumed`. A usage event already in `rated_usage` changes nothing, so applying an event twice is harmless. A
 * recording's events (a rating batch) are applied at once, in five statements.
 */
export const ratedUsageProjection: Projection = {
  name: 'rated_usage',
  // credit_grants for the `consumed` it moves; the grants' own projection fills the rest of each row.
  tables: ['rated_usage', 'rating_totals', 'credit_debits', 'credit_grants'],
  handles: ['UsageRated'],
  apply: (tx, stored) => applyRated(tx, [stored]),
  applyAll: applyRated,
};

/** One rated usage event as a `UsageRated` decided it. */
interface RatedRow {
  usage: RatedUsage;
  tenant: Tenant;
  customerId: string;
  /** The deciding event's position in the store. */
  position: string;
}

async function applyRated(tx: Transaction, events: readonly StoredEvent[]): Promise<void> {
  const rows = events.flatMap((stored): RatedRow[] => {
    const { data } = UsageRated.parse(stored);
    const tenant = { organizationId: stored.metadata.organization_id, mode: stored.metadata.mode };
    return data.rated.map((usage) => ({ usage, tenant, customerId: data.customer_id, position: stored.position }));
  });
  const fresh = await recordRated(tx, rows);
  // The first of the events naming a usage event is the one that counts, as when applied one at a time.
  const rated = rows.filter(({ usage }) => fresh.delete(usage.usage_id));
  if (rated.length === 0) return;
  await addToTotals(
    tx,
    rated.map(({ usage }) => usage),
  );
  await recordDebits(tx, rated);
}

/** Inserts the rated events, answering the ids that were not there yet. */
async function recordRated(tx: Transaction, rows: readonly RatedRow[]): Promise<Set<string>> {
  const { rows: inserted } = await tx.query<{ usage_id: string }>(
    `INSERT INTO rated_usage (usage_id, organization_id, mode, customer_id, "timestamp", cost)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
     ON CONFLICT (usage_id) DO NOTHING RETURNING usage_id`,
    [
      rows.map(({ usage }) => usage.usage_id),
      rows.map(({ tenant }) => tenant.organizationId),
      rows.map(({ tenant }) => tenant.mode),
      rows.map(({ customerId }) => customerId),
      rows.map(({ usage }) => usage.timestamp),
      rows.map(({ usage }) => JSON.stringify(costOf(usage))),
    ],
  );
  return new Set(inserted.map((row) => row.usage_id));
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

/**
 * The ledger's rows, each named by its deciding event's position and its place among that event's draws, and each
 * grant's `consumed` moved by what the events drew from it (less what they gave back).
 */
async function recordDebits(tx: Transaction, rated: readonly RatedRow[]): Promise<void> {
  const entries = new Map<string, number>();
  const rows = rated.flatMap((row) =>
    row.usage.debits.map((debit) => {
      const entry = entries.get(row.position) ?? 0;
      entries.set(row.position, entry + 1);
      return { ...row, debit, entry };
    }),
  );
  await tx.query(
    `INSERT INTO credit_debits (event_position, entry, usage_id, grant_id, organization_id, mode, customer_id,
       subscription_id, price_id, period_start, group_key, amount, effective_at)
     SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::timestamptz[], $11::text[], $12::numeric[], $13::timestamptz[])`,
    [
      rows.map(({ position }) => position),
      rows.map(({ entry }) => entry),
      rows.map(({ usage }) => usage.usage_id),
      rows.map(({ debit }) => debit.grant_id),
      rows.map(({ tenant }) => tenant.organizationId),
      rows.map(({ tenant }) => tenant.mode),
      rows.map(({ customerId }) => customerId),
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
