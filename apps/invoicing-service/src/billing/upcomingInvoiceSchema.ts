import { ResourceId } from '@afternoon/contracts/common';
import { LineItemKind } from '@afternoon/contracts/invoices';
import { MeterCode } from '@afternoon/contracts/meters';
import { z } from 'zod';

// Here until invoice generation settles the line shape; then it moves to packages/contracts/src/invoices.ts.

/** One line of an invoice that is not issued yet; `price_id` is null on the plan's minimum commitment line. */
export const InvoicePreviewLine = z.object({
  kind: LineItemKind.exclude(['manual']),
  price_id: ResourceId.nullable(),
  description: z.string(),
  /** Usage as an exact decimal string, or "1" for a fee. */
  quantity: z.string(),
  amount_cents: z.number().int(),
  period_start: z.iso.datetime(),
  period_end: z.iso.datetime(),
  meter_code: MeterCode.optional(),
});
export type InvoicePreviewLine = z.infer<typeof InvoicePreviewLine>;

/** `GET /v1/subscriptions/{id}/upcoming_invoice`: what the current period would bill if it ended now. */
export const UpcomingInvoice = z.object({
  subscription_id: ResourceId,
  customer_id: ResourceId,
  currency: z.string(),
  period_start: z.iso.datetime(),
  period_end: z.iso.datetime(),
  lines: z.array(InvoicePreviewLine),
  subtotal_cents: z.number().int().min(0),
  total_cents: z.number().int().min(0),
  /** Every usage event received before this instant is counted; null when no usage was read. */
  usage_processed_through: z.iso.datetime().nullable(),
});
export type UpcomingInvoice = z.infer<typeof UpcomingInvoice>;
