import type { CreditMovement } from '@afternoon/billing-core/creditBurnDown';
import type { Transaction } from '@afternoon/service-kit';
import { netDraws } from './creditBook';
import type { ChargeTotal, RatingKey, RatingTotals } from './rateEvents';

/**
 * The rating keys' running totals and draws as the ledger holds them, each total row locked (FOR UPDATE) once read,
 * plus what this transaction rated since: a rating batch's worth, before its `UsageRated` events are projected.
 */
export class LockedTotals implements RatingTotals {
  private readonly totals = new Map<string, Promise<ChargeTotal>>();
  private readonly draws = new Map<string, Promise<CreditMovement[]>>();
  private readonly pending = new Map<string, CreditMovement[]>();

  constructor(private readonly tx: Transaction) {}

  totalOf(key: RatingKey): Promise<ChargeTotal> {
    const name = nameOf(key);
    let total = this.totals.get(name);
    if (!total) {
      total = this.readTotal(key);
      this.totals.set(name, total);
    }
    return total;
  }

  async drawsOf(key: RatingKey): Promise<CreditMovement[]> {
    const name = nameOf(key);
    let drawn = this.draws.get(name);
    if (!drawn) {
      drawn = this.readDraws(key);
      this.draws.set(name, drawn);
    }
    return netDraws([...(await drawn), ...(this.pending.get(name) ?? [])]);
  }

  noteDebits(key: RatingKey, debits: readonly CreditMovement[]): void {
    const name = nameOf(key);
    this.pending.set(name, [...(this.pending.get(name) ?? []), ...debits]);
  }

  private async readTotal(key: RatingKey): Promise<ChargeTotal> {
    const { rows } = await this.tx.query<ChargeTotal>(
      `SELECT quantity::text, owed::text FROM rating_totals
        WHERE subscription_id = $1 AND price_id = $2 AND period_start = $3 AND group_key = $4
          FOR UPDATE`,
      [key.subscription_id, key.price_id, key.period_start, key.group_key ?? ''],
    );
    return rows[0] ?? { quantity: '0', owed: '0' };
  }

  private async readDraws(key: RatingKey): Promise<CreditMovement[]> {
    const { rows } = await this.tx.query<{ grant_id: string; amount: string }>(
      `SELECT grant_id, amount::text FROM credit_debits
        WHERE subscription_id = $1 AND price_id = $2 AND period_start = $3 AND group_key IS NOT DISTINCT FROM $4
        ORDER BY event_position, entry`,
      [key.subscription_id, key.price_id, key.period_start, key.group_key],
    );
    return rows.map((row) => ({ grantId: row.grant_id, amount: row.amount }));
  }
}

function nameOf(key: RatingKey): string {
  return JSON.stringify([key.subscription_id, key.price_id, key.period_start, key.group_key]);
}
