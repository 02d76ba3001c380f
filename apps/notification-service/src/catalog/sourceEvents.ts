import {
  BalanceDepleted,
  BalanceLow,
  CreditGrantEvent,
  creditGrantEventWireNames,
  ratingEventWireNames,
} from '@afternoon/contracts/credits';
import type { CustomerEvent } from '@afternoon/contracts/customers';
import { InvoiceEvent, InvoicePaymentEvent, invoiceStreamEventWireNames } from '@afternoon/contracts/invoices';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { SubscriptionEvent, subscriptionEventWireNames } from '@afternoon/contracts/subscriptions';
import { z } from 'zod';

/**
 * The events of `invoice.events` the catalog reads: invoices and their payments, subscriptions, credit grants and
 * balance crossings.
 * Plans, test clocks, rated usage and the rest are not named, so their records are skipped.
 */
export const InvoicingSourceEvent = z.union([
  InvoiceEvent,
  InvoicePaymentEvent,
  SubscriptionEvent,
  CreditGrantEvent,
  z.discriminatedUnion('type', [BalanceLow, BalanceDepleted]),
]);
export type InvoicingSourceEvent = z.infer<typeof InvoicingSourceEvent>;

export const invoicingSourceWireNames = {
  ...invoiceStreamEventWireNames,
  ...subscriptionEventWireNames,
  ...creditGrantEventWireNames,
  BalanceLow: ratingEventWireNames.BalanceLow,
  BalanceDepleted: ratingEventWireNames.BalanceDepleted,
} as const satisfies Record<InvoicingSourceEvent['type'], string>;

/** Every source event the catalog translates. */
export type SourceEvent = CustomerEvent | InvoicingSourceEvent;

/** A source event as its topic carried it: the event and where in which stream it stands. */
export interface SourceRecord<E extends SourceEvent = SourceEvent> {
  eventId: string;
  version: number;
  metadata: EventMetadata;
  event: E;
}
