import {
  addDecimals,
  compareDecimals,
  type ExactDecimal,
  formatDecimal,
  parseDecimal,
} from '@afternoon/billing-core/exactDecimal';
import type { Alert, AlertScope, AlertThresholdReached } from '@afternoon/contracts/alerts';
import type { UsagePeriod } from './usagePeriod';

/** One stored usage event as alerts count it: what each additive meter takes from it, in each scope's period. */
export interface CountedEvent {
  usageId: string;
  timestamp: string;
  receivedAt: string;
  quantities: readonly { meterCode: string; quantity: string }[];
  periods: Record<AlertScope, UsagePeriod>;
}

/** A customer's running usage of a meter over a period. */
export interface UsageTotal {
  meterCode: string;
  period: UsagePeriod;
  quantity: string;
}

export type Crossing = AlertThresholdReached['data'];

/** Names a period in keys: its start's instant, or the lifetime. */
const periodName = (period: UsagePeriod) => (period.start === null ? 'lifetime' : String(period.start.getTime()));

/** Names a meter's total over a period. */
export function totalKey(meterCode: string, period: UsagePeriod): string {
  return `${meterCode}\u0000${periodName(period)}`;
}

/** Names an alert's notice for a period: at most one each. */
export function noticeKey(alertId: string, period: UsagePeriod): string {
  return `${alertId}\u0000${periodName(period)}`;
}

/** A running total as the tally keeps it: exact, and formatted only when it is answered. */
interface RunningTotal {
  meterCode: string;
  period: UsagePeriod;
  quantity: ExactDecimal;
}

/**
 * Adds the customer's events, in order, to the running totals (keyed by `totalKey`, absent = 0), and answers the
 * totals it changed and the alerts the events took to or past their threshold. An alert is told once per period
 * (`notified`, keyed by `noticeKey`), and only by usage received after it was created; usage from before counts
 * in the total, so an alert created mid-period sees the period's usage so far.
 */
export function tallyUsage(
  customerId: string,
  events: readonly CountedEvent[],
  alerts: readonly Alert[],
  totals: ReadonlyMap<string, string>,
  notified: ReadonlySet<string>,
): { totals: UsageTotal[]; crossings: Crossing[] } {
  const running = new Map<string, RunningTotal>();
  const told = new Set(notified);
  const crossings: Crossing[] = [];
  const watching = alerts
    .filter((alert) => alert.customer_id === null || alert.customer_id === customerId)
    .map((alert) => ({ alert, createdAt: Date.parse(alert.created_at), threshold: parseDecimal(alert.threshold) }));
  for (const event of events) {
    const receivedAt = Date.parse(event.receivedAt);
    for (const { meterCode, quantity } of event.quantities) {
      const added = parseDecimal(quantity);
      for (const scope of ['billing_period', 'lifetime'] as const) {
        const period = event.periods[scope];
        const key = totalKey(meterCode, period);
        const total = running.get(key) ?? { meterCode, period, quantity: parseDecimal(totals.get(key) ?? '0') };
        total.quantity = addDecimals(total.quantity, added);
        running.set(key, total);
        for (const { alert, createdAt, threshold } of watching) {
          if (alert.meter_code !== meterCode || alert.scope !== scope || receivedAt < createdAt) continue;
          if (told.has(noticeKey(alert.id, period)) || compareDecimals(total.quantity, threshold) < 0) continue;
          told.add(noticeKey(alert.id, period));
          crossings.push({
            alert_id: alert.id,
            customer_id: customerId,
            meter_code: meterCode,
            threshold: alert.threshold,
            value: formatDecimal(total.quantity),
            period_start: period.start?.toISOString() ?? null,
            period_end: period.end?.toISOString() ?? null,
            usage_id: event.usageId,
            occurred_at: event.timestamp,
          });
        }
      }
    }
  }
  const changed = [...running.values()].map(({ meterCode, period, quantity }) => ({
    meterCode,
    period,
    quantity: formatDecimal(quantity),
  }));
  return { totals: changed, crossings };
}
