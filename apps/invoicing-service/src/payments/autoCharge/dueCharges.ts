import type { Invoice } from '@afternoon/contracts/invoices';
import type { AfterFinalFailure, RetrySchedule, StoredStripeSettings } from '@afternoon/contracts/paymentSettings';
import type { Queryable, Tenant } from '@afternoon/service-kit';

/** An open `charge_automatically` invoice whose next off-session charge its customer's clock has reached. */
export interface DueCharge {
  tenant: Tenant;
  invoice: Invoice;
  /** 1 for the charge at finalization, then one more per retry. */
  attempt: number;
  stripeCustomerId: string;
  paymentMethodId: string | null;
  stripe: StoredStripeSettings;
  retrySchedule: RetrySchedule;
  afterFinalFailure: AfterFinalFailure;
  /** The customer's test clock, which is not ready while the charge is due. */
  testClockId: string | null;
}

type Row = {
  organization_id: string;
  mode: Tenant['mode'];
  document: Invoice;
  stripe_customer_id: string;
  default_payment_method_id: string | null;
  stripe: StoredStripeSettings;
  retry_schedule: RetrySchedule;
  after_final_failure: AfterFinalFailure;
  test_clock_id: string | null;
};

/**
 * Open `charge_automatically` invoices with something due, whose customer is linked to Stripe in a mode with Stripe
 * set up, and that were never charged (due at once) or whose `next_payment_attempt` the customer's clock (its test
 * clock's frozen time, else `realNow`) has reached. Oldest first, at most `limit`.
 */
export async function dueCharges(db: Queryable, realNow: Date, limit: number): Promise<DueCharge[]> {
  const { rows } = await db.query<Row>(
    `SELECT i.organization_id, i.mode, i.document, l.stripe_customer_id, l.default_payment_method_id, s.stripe,
            s.retry_schedule, s.after_final_failure, c.test_clock_id
       FROM invoices i
       JOIN customer_payment_links l
         ON l.customer_id = i.customer_id AND l.organization_id = i.organization_id AND l.mode = i.mode
       JOIN payment_settings s ON s.organization_id = i.organization_id AND s.mode = i.mode AND s.stripe IS NOT NULL
       LEFT JOIN invoice_customers c ON c.id = i.customer_id
       LEFT JOIN test_clocks t ON t.id = c.test_clock_id
      WHERE i.status = 'open' AND i.document->>'collection_method' = 'charge_automatically'
        AND (i.document->>'amount_due_cents')::bigint > 0
        AND (NOT i.document ? 'attempt_count'
             OR (i.document->>'next_payment_attempt')::timestamptz <= coalesce(t.frozen_time, $1))
      ORDER BY i.created_at, i.id LIMIT $2`,
    [realNow, limit],
  );
  return rows.map((row) => ({
    tenant: { organizationId: row.organization_id, mode: row.mode },
    invoice: row.document,
    attempt: (row.document.attempt_count ?? 0) + 1,
    stripeCustomerId: row.stripe_customer_id,
    paymentMethodId: row.default_payment_method_id,
    stripe: row.stripe,
    retrySchedule: row.retry_schedule,
    afterFinalFailure: row.after_final_failure,
    testClockId: row.test_clock_id,
  }));
}
