import { newResourceId } from '@afternoon/service-kit';

/*
 * A monthly plan's subscribers far enough in the past to have several boundaries due at once, and the invoices
 * their boundaries must bill: an in-advance fee of 4900 and an in-arrears fee of 1500 a month.
 */

/** Boundaries due per subscription: its start and this many period ends. */
export const periodEnds = 6;
export const inAdvanceCents = 4_900;
export const inArrearsCents = 1_500;
const day = 24 * 60 * 60 * 1000;

export interface Subscriber {
  customerId: string;
  subscriptionId: string;
  /** Every boundary due, the start first. */
  boundaries: Date[];
}

/**
 * Monthly subscribers that started at noon UTC on a day ≤ 28 (no month-end clamping) six months before a date 15
 * days ago: seven boundaries are due and the next is two weeks away, so none falls due while the test runs. Each
 * starts a second before the one before it, so their boundaries differ.
 */
export function monthlySubscribers(count: number, firstIndex: number): Subscriber[] {
  const then = new Date(Date.now() - 15 * day);
  const anchorDay = Math.min(then.getUTCDate(), 28);
  return Array.from({ length: count }, (_, offset) => {
    const monthsFromStart = (months: number) =>
      new Date(
        Date.UTC(then.getUTCFullYear(), then.getUTCMonth() - periodEnds + months, anchorDay, 12) -
          (firstIndex + offset) * 1_000,
      );
    const boundaries = Array.from({ length: periodEnds + 1 }, (_, months) => monthsFromStart(months));
    return { customerId: newResourceId(), subscriptionId: newResourceId(), boundaries };
  });
}

/** One open invoice per subscription and boundary, by subscription id then boundary. */
export function expectedInvoices(billed: readonly Subscriber[]) {
  return [...billed]
    .sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : 1))
    .flatMap(({ subscriptionId, boundaries }) =>
      boundaries.map((boundary, index) => ({
        subscription_id: subscriptionId,
        billing_boundary: boundary,
        status: 'open',
        billing_reason: index === 0 ? 'subscription_start' : 'subscription_cycle',
        // The start bills the first whole month in advance: 4900. Each period end bills the month that ended in
        // arrears and the next in advance: 1500 + 4900 = 6400.
        total_cents: index === 0 ? inAdvanceCents : inArrearsCents + inAdvanceCents,
      })),
    );
}

/** INV-0001 to the count-th number: the numbers of that many invoices, with no gap. */
export const invoiceNumbers = (count: number) =>
  Array.from({ length: count }, (_, index) => `INV-${String(index + 1).padStart(4, '0')}`);
