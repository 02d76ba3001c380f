import type { Queryable, Tenant } from '@afternoon/service-kit';
import { subscriptionsWithCredits } from './invoiceCredits';
import type { SubscriptionToBill } from './subscriptionsToBill';

/** Subscriptions asked about together: the one asked and those after it in the pass's order. */
const readAhead = 200;

/**
 * Whether a subscription of the pass may have credits to apply (see `subscriptionsWithCredits`), read for the one
 * asked and the next `readAhead` of the pass's order at once, a query per tenant among them: the pass's workers ask
 * in that order, so one read answers many of them.
 */
export function creditHolders(
  db: Queryable,
  due: readonly SubscriptionToBill[],
): (subscription: SubscriptionToBill) => Promise<boolean> {
  const position = new Map(due.map((subscription, index) => [subscription.subscription.id, index]));
  const known = new Map<string, Promise<boolean>>();
  return (subscription) => {
    const id = subscription.subscription.id;
    if (!known.has(id)) readFrom(position.get(id), subscription);
    return known.get(id) as Promise<boolean>;
  };

  function readFrom(index: number | undefined, asked: SubscriptionToBill): void {
    const ahead = index === undefined ? [asked] : due.slice(index, index + readAhead);
    const byTenant = new Map<string, { tenant: Tenant; ids: string[] }>();
    for (const { tenant, subscription } of ahead) {
      if (known.has(subscription.id)) continue;
      const key = `${tenant.organizationId}|${tenant.mode}`;
      const group = byTenant.get(key) ?? { tenant, ids: [] };
      group.ids.push(subscription.id);
      byTenant.set(key, group);
    }
    for (const { tenant, ids } of byTenant.values()) {
      const holders = subscriptionsWithCredits(db, tenant, ids);
      for (const id of ids)
        known.set(
          id,
          holders.then((found) => found.has(id)),
        );
    }
  }
}
