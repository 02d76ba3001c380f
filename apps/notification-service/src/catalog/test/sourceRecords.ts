import { randomUUID } from 'node:crypto';
import type { Mode } from '@afternoon/contracts/common';
import { ratingEventWireNames } from '@afternoon/contracts/credits';
import { customerEventWireNames } from '@afternoon/contracts/customers';
import { Headers } from '@afternoon/contracts/messaging';
import { planEventWireNames } from '@afternoon/contracts/plans';
import type { RejectionReason } from '@afternoon/contracts/usage';
import { newResourceId } from '@afternoon/service-kit';
import { invoicingSourceWireNames } from '../sourceEvents';

/** Records as customer-service and invoicing publish them, for the catalog's tests (unit and int). */
export interface SourceTenant {
  organizationId: string;
  mode: Mode;
}

const wireNames = {
  ...customerEventWireNames,
  ...invoicingSourceWireNames,
  ...planEventWireNames,
  UsageRated: ratingEventWireNames.UsageRated,
};
export type SourceType = keyof typeof wireNames;

export interface SourceEventRecord {
  key: string;
  value: string;
}

/** One stream's events, numbered as its store numbers them; each record has a new event id. */
export function sourceStream(tenant: SourceTenant, streamId: string) {
  let version = 0;
  return (type: SourceType, data: Record<string, unknown>, at = '2026-03-01T10:00:00.000Z'): SourceEventRecord => {
    version += 1;
    const metadata = {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      occurred_at: at,
      correlation_id: 'test',
      causation_id: 'test',
    };
    const event = { event_id: randomUUID(), type: wireNames[type], stream_id: streamId, version, data, metadata };
    return { key: streamId, value: JSON.stringify(event) };
  };
}

export const customerDetails = (name: string) => ({
  name,
  first_name: null,
  last_name: null,
  email: `${name.toLowerCase().replaceAll(' ', '.')}@example.com`,
  phone: null,
  url: null,
  external_id: null,
  billing_address: null,
  shipping_address: null,
  metadata: {},
});

export const invoiceTerms = {
  collection_method: 'send_invoice',
  days_until_due: 14,
  due_date: null,
  memo: null,
  metadata: {},
};

/** A hand-written line: `quantity × unit_amount_cents`. */
export const manualLine = (quantity: string, unitAmountCents: number) => ({
  id: newResourceId(),
  description: 'Seats',
  quantity,
  unit_amount_cents: unitAmountCents,
});

export const subscriptionTerms = (subscriptionId: string, customerId: string, previous: string | null = null) => ({
  subscription_id: subscriptionId,
  customer_id: customerId,
  plan_code: 'pro',
  plan_version: 1,
  interval: 'month',
  status: 'pending',
  start_date: '2026-03-01T00:00:00.000Z',
  billing_anchor_day: 1,
  previous_subscription_id: previous,
  created_at: '2026-03-01T00:00:00.000Z',
});

/** A usage record metering dead-lettered, as its dead-letter topic holds it (without `code`: as it did before). */
export function deadLetteredUsage(
  tenant: SourceTenant,
  {
    reason,
    code,
    source,
    customerId = newResourceId(),
  }: { reason: string; code?: RejectionReason; source: string; customerId?: string },
) {
  const usage = {
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    event_name: 'api_call',
    idempotency_key: randomUUID(),
    customer_id: customerId,
    timestamp: '2026-03-01T10:00:00.000Z',
    properties: {},
    received_at: '2026-03-01T10:00:00.000Z',
  };
  return {
    key: customerId,
    value: JSON.stringify(usage),
    headers: {
      [Headers.organizationId]: tenant.organizationId,
      [Headers.mode]: tenant.mode,
      [Headers.deadLetterReason]: reason,
      ...(code ? { [Headers.deadLetterReasonCode]: code } : {}),
      [Headers.deadLetterSource]: source,
    },
    usage,
  };
}
