import { CreateAlertBody, ListAlertsQuery } from '@afternoon/contracts/alerts';
import { UpdateBillingSettingsBody } from '@afternoon/contracts/billingSettings';
import { PageQuery } from '@afternoon/contracts/common';
import { BalancesQuery, CreateCreditGrantBody, ListCreditGrantsQuery } from '@afternoon/contracts/credits';
import { CreateCustomerBody, ListCustomersQuery } from '@afternoon/contracts/customers';
import { ListDeadLettersQuery } from '@afternoon/contracts/deadLetters';
import { ReplayInvoiceEmailsBody } from '@afternoon/contracts/invoiceEmails';
import {
  CreateInvoiceBody,
  LineItemBody,
  LineItemEventsQuery,
  ListInvoicesQuery,
  RecordPaymentBody,
  RefundPaymentBody,
  UpdateInvoiceBody,
  UpdateLineItemBody,
} from '@afternoon/contracts/invoices';
import {
  CreateMeterBody,
  ListMetersQuery,
  MeterTopCustomersQuery,
  MeterUsageQuery,
  UpdateMeterBody,
} from '@afternoon/contracts/meters';
import { UpdateNotificationSettingsBody } from '@afternoon/contracts/notificationSettings';
import { CreateApiKeyBody, CreateOrganizationBody, UpdateOrganizationBody } from '@afternoon/contracts/organizations';
import { PatchCustomerBody } from '@afternoon/contracts/paymentLinks';
import { UpdatePaymentSettingsBody } from '@afternoon/contracts/paymentSettings';
import { CreatePlanBody, GetPlanQuery, ListPlansQuery, RevisePlanBody } from '@afternoon/contracts/plans';
import { CreatePricingUnitBody, ListPricingUnitsQuery } from '@afternoon/contracts/pricingUnits';
import {
  CancelSubscriptionBody,
  ChangeSubscriptionPlanBody,
  CreateSubscriptionBody,
  ListSubscriptionsQuery,
  UpdateSubscriptionBody,
} from '@afternoon/contracts/subscriptions';
import { AdvanceTestClockBody, CreateTestClockBody, ListTestClocksQuery } from '@afternoon/contracts/testClocks';
import { EventSummaryQuery, IngestRequestBody, ListUsageEventsQuery, UsageQuery } from '@afternoon/contracts/usage';
import { z } from 'zod';
import type { Fixtures } from './fixtures';
import { hostedInvoiceRouteDescriptions } from './hostedInvoiceRouteDescriptions';
import { keylessRouteDescriptions } from './keylessRouteDescriptions';
import { type RouteFuzz, routeKey } from './routeFuzz';
import { webhookRouteDescriptions } from './webhookRouteDescriptions';

export { type RouteFuzz, routeKey } from './routeFuzz';

const customers = (f: Fixtures) => ['/v1/customers?limit=100', `/v1/customers/${f.customer}`];
const meters = (f: Fixtures) => ['/v1/meters?limit=100', `/v1/meters/${f.meter}`];
const plans = (f: Fixtures) => ['/v1/plans?limit=100', `/v1/plans/${f.plan}`];
const subscriptions = (f: Fixtures) => ['/v1/subscriptions?limit=100', `/v1/subscriptions/${f.subscription}`];
const invoices = (f: Fixtures) => ['/v1/invoices?limit=100', `/v1/invoices/${f.invoice}`];
const testClocks = (f: Fixtures) => ['/v1/test_clocks?limit=100', `/v1/test_clocks/${f.testClock}`];
const pricingUnits = (f: Fixtures) => ['/v1/pricing_units?limit=100', `/v1/pricing_units/${f.pricingUnit}`];
const creditGrants = (f: Fixtures) => [
  `/v1/subscriptions/${f.subscription}/credit-grants?limit=100`,
  `/v1/subscriptions/${f.subscription}/credit-grants/${f.creditGrant}`,
];
const alerts = (f: Fixtures) => ['/v1/alerts?limit=100', `/v1/alerts/${f.alert}`];
const apiKeys = (f: Fixtures) => [`/v1/admin/organizations/${f.organization}/api_keys`];
const month = 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z';
const line = { description: 'Support', quantity: 1, unit_amount_cents: 500 };

export const routeDescriptions: Record<string, RouteFuzz> = {
  ...keylessRouteDescriptions,

  [routeKey('POST', '/v1/admin/organizations')]: {
    auth: 'admin',
    body: CreateOrganizationBody,
    sample: () => ({ name: 'Initech' }),
    readBack: () => ['/v1/admin/organizations'],
    sharedState: true,
  },
  [routeKey('GET', '/v1/admin/organizations')]: { auth: 'admin' },
  [routeKey('PATCH', '/v1/admin/organizations/:id')]: {
    auth: 'admin',
    params: { id: 'organization' },
    body: UpdateOrganizationBody,
    sample: () => ({ rate_limit_per_minute: 5000 }),
    readBack: () => ['/v1/admin/organizations'],
    sharedState: true,
  },
  [routeKey('GET', '/v1/admin/organizations/:id/api_keys')]: { auth: 'admin', params: { id: 'organization' } },
  [routeKey('POST', '/v1/admin/organizations/:id/api_keys')]: {
    auth: 'admin',
    params: { id: 'organization' },
    body: CreateApiKeyBody,
    sample: () => ({ mode: 'live' }),
    readBack: apiKeys,
  },
  [routeKey('POST', '/v1/admin/api_keys/:id/revoke')]: { auth: 'admin', params: { id: 'apiKey' }, readBack: apiKeys },
  [routeKey('GET', '/v1/admin/dead_letters')]: { auth: 'admin', query: ListDeadLettersQuery },

  ...hostedInvoiceRouteDescriptions,

  [routeKey('POST', '/v1/customers')]: {
    auth: 'key',
    body: CreateCustomerBody,
    sample: () => ({ name: 'Umbrella' }),
    readBack: customers,
  },
  [routeKey('GET', '/v1/customers/:id')]: { auth: 'key', params: { id: 'customer' } },
  [routeKey('GET', '/v1/customers')]: { auth: 'key', query: ListCustomersQuery },
  [routeKey('PATCH', '/v1/customers/:id')]: {
    auth: 'key',
    params: { id: 'customer' },
    body: PatchCustomerBody,
    sample: () => ({ name: 'Renamed', payment_provider: { stripe_customer_id: 'cus_Renamed1' } }),
    readBack: customers,
  },
  [routeKey('DELETE', '/v1/customers/:id')]: { auth: 'key', params: { id: 'customer' }, readBack: customers },
  [routeKey('GET', '/v1/customers/:id/usage')]: {
    auth: 'key',
    params: { id: 'customer' },
    query: z.union([UsageQuery, MeterUsageQuery]),
    sampleQuery: month,
  },
  [routeKey('GET', '/v1/customers/:id/balances')]: { auth: 'key', params: { id: 'customer' }, query: BalancesQuery },

  [routeKey('POST', '/v1/events/ingest')]: {
    auth: 'key',
    body: IngestRequestBody,
    sample: (f) => ({
      events: [
        { event_name: 'api_call', idempotency_key: 'fuzz-sample', customer_id: f.customer, properties: { tokens: 12 } },
      ],
    }),
    readBack: () => ['/v1/events?limit=100'],
  },
  [routeKey('GET', '/v1/events/rejected')]: { auth: 'key', query: PageQuery.strict() },
  [routeKey('GET', '/v1/events/summary')]: { auth: 'key', query: EventSummaryQuery },
  [routeKey('GET', '/v1/events')]: { auth: 'key', query: ListUsageEventsQuery },

  [routeKey('POST', '/v1/meters')]: {
    auth: 'key',
    body: CreateMeterBody,
    sample: () => ({ code: 'storage', name: 'Storage', event_name: 'stored', aggregation: 'count' }),
    readBack: meters,
  },
  [routeKey('GET', '/v1/meters')]: { auth: 'key', query: ListMetersQuery },
  [routeKey('GET', '/v1/meters/:code')]: { auth: 'key', params: { code: 'meter' } },
  [routeKey('GET', '/v1/meters/:code/usage')]: {
    auth: 'key',
    params: { code: 'meter' },
    query: MeterTopCustomersQuery,
    sampleQuery: month,
  },
  [routeKey('PATCH', '/v1/meters/:code')]: {
    auth: 'key',
    params: { code: 'meter' },
    body: UpdateMeterBody,
    sample: () => ({ name: 'Renamed' }),
    readBack: meters,
  },
  [routeKey('POST', '/v1/meters/:code/archive')]: { auth: 'key', params: { code: 'meter' }, readBack: meters },

  [routeKey('POST', '/v1/plans')]: {
    auth: 'key',
    body: CreatePlanBody,
    sample: () => ({
      code: 'pro',
      name: 'Pro',
      interval: 'month',
      prices: [{ model: 'flat', description: 'Base', amount_cents: 2000, timing: 'in_arrears' }],
    }),
    readBack: plans,
  },
  [routeKey('GET', '/v1/plans')]: { auth: 'key', query: ListPlansQuery },
  [routeKey('GET', '/v1/plans/:code')]: { auth: 'key', params: { code: 'plan' }, query: GetPlanQuery },
  [routeKey('PATCH', '/v1/plans/:code')]: {
    auth: 'key',
    params: { code: 'plan' },
    body: RevisePlanBody,
    sample: () => ({ name: 'Renamed' }),
    readBack: plans,
  },
  [routeKey('POST', '/v1/plans/:code/archive')]: { auth: 'key', params: { code: 'plan' }, readBack: plans },

  [routeKey('POST', '/v1/subscriptions')]: {
    auth: 'key',
    body: CreateSubscriptionBody,
    sample: (f) => ({ customer_id: f.customer, plan_code: f.plan }),
    readBack: subscriptions,
  },
  [routeKey('GET', '/v1/subscriptions')]: { auth: 'key', query: ListSubscriptionsQuery },
  [routeKey('GET', '/v1/subscriptions/:id')]: { auth: 'key', params: { id: 'subscription' } },
  [routeKey('GET', '/v1/subscriptions/:id/upcoming_invoice')]: { auth: 'key', params: { id: 'subscription' } },
  [routeKey('PATCH', '/v1/subscriptions/:id')]: {
    auth: 'key',
    params: { id: 'subscription' },
    body: UpdateSubscriptionBody,
    sample: () => ({ billing_anchor_day: 15 }),
    readBack: subscriptions,
  },
  [routeKey('POST', '/v1/subscriptions/:id/cancel')]: {
    auth: 'key',
    params: { id: 'subscription' },
    body: CancelSubscriptionBody,
    sample: () => ({ cancel_mode: 'end_of_period' }),
    readBack: subscriptions,
  },
  [routeKey('POST', '/v1/subscriptions/:id/change_plan')]: {
    auth: 'key',
    params: { id: 'subscription' },
    body: ChangeSubscriptionPlanBody,
    sample: (f) => ({ target_plan_code: f.plan, change_mode: 'end_of_period' }),
    readBack: subscriptions,
  },

  [routeKey('POST', '/v1/test_clocks')]: {
    auth: 'test key',
    body: CreateTestClockBody,
    sample: () => ({ frozen_time: '2026-01-01T00:00:00Z' }),
    readBack: testClocks,
  },
  [routeKey('GET', '/v1/test_clocks')]: { auth: 'test key', query: ListTestClocksQuery },
  [routeKey('GET', '/v1/test_clocks/:id')]: { auth: 'test key', params: { id: 'testClock' } },
  [routeKey('POST', '/v1/test_clocks/:id/advance')]: {
    auth: 'test key',
    params: { id: 'testClock' },
    body: AdvanceTestClockBody,
    sample: () => ({ frozen_time: '2026-01-02T00:00:00Z' }),
    readBack: testClocks,
  },

  [routeKey('POST', '/v1/pricing_units')]: {
    auth: 'key',
    body: CreatePricingUnitBody,
    sample: () => ({ code: 'token', name: 'Token', currency_conversion: { currency: 'usd', unit_amount: '0.002' } }),
    readBack: pricingUnits,
  },
  [routeKey('GET', '/v1/pricing_units')]: { auth: 'key', query: ListPricingUnitsQuery },
  [routeKey('GET', '/v1/pricing_units/:code')]: { auth: 'key', params: { code: 'pricingUnit' } },

  [routeKey('POST', '/v1/subscriptions/:id/credit-grants')]: {
    auth: 'key',
    params: { id: 'subscription' },
    body: CreateCreditGrantBody,
    sample: (f) => ({ name: 'Promo', amount: '2.5', pricing_unit_code: f.pricingUnit, expires_at: null }),
    readBack: creditGrants,
  },
  [routeKey('GET', '/v1/subscriptions/:id/credit-grants')]: {
    auth: 'key',
    params: { id: 'subscription' },
    query: ListCreditGrantsQuery,
  },
  [routeKey('GET', '/v1/subscriptions/:id/credit-grants/:grant_id')]: {
    auth: 'key',
    params: { id: 'subscription', grant_id: 'creditGrant' },
  },
  [routeKey('POST', '/v1/subscriptions/:id/credit-grants/:grant_id/void')]: {
    auth: 'key',
    params: { id: 'subscription', grant_id: 'creditGrant' },
    readBack: creditGrants,
  },

  [routeKey('GET', '/v1/billing_settings')]: { auth: 'key' },
  [routeKey('PATCH', '/v1/billing_settings')]: {
    auth: 'key',
    body: UpdateBillingSettingsBody,
    sample: () => ({
      invoice_grace_period_seconds: 600,
      low_balance_thresholds: [{ currency_code: 'usd', amount: 500 }],
    }),
    readBack: () => ['/v1/billing_settings'],
  },

  [routeKey('POST', '/v1/invoices')]: {
    auth: 'key',
    body: CreateInvoiceBody,
    sample: (f) => ({
      customer_id: f.customer,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [line],
    }),
    readBack: invoices,
  },
  [routeKey('GET', '/v1/invoices/:id')]: { auth: 'key', params: { id: 'invoice' } },
  [routeKey('GET', '/v1/invoices')]: { auth: 'key', query: ListInvoicesQuery },
  [routeKey('GET', '/v1/invoices/:id/line_items/:line_item_id/events')]: {
    auth: 'key',
    params: { id: 'invoice', line_item_id: 'lineItem' },
    query: LineItemEventsQuery,
  },
  [routeKey('PATCH', '/v1/invoices/:id')]: {
    auth: 'key',
    params: { id: 'invoice' },
    body: UpdateInvoiceBody,
    sample: () => ({ memo: 'Thanks' }),
    readBack: invoices,
  },
  [routeKey('DELETE', '/v1/invoices/:id')]: { auth: 'key', params: { id: 'invoice' }, readBack: invoices },
  [routeKey('POST', '/v1/invoices/:id/line_items')]: {
    auth: 'key',
    params: { id: 'invoice' },
    body: LineItemBody,
    sample: () => line,
    readBack: invoices,
  },
  [routeKey('PATCH', '/v1/invoices/:id/line_items/:line_item_id')]: {
    auth: 'key',
    params: { id: 'invoice', line_item_id: 'lineItem' },
    body: UpdateLineItemBody,
    sample: () => ({ quantity: 2 }),
    readBack: invoices,
  },
  [routeKey('DELETE', '/v1/invoices/:id/line_items/:line_item_id')]: {
    auth: 'key',
    params: { id: 'invoice', line_item_id: 'lineItem' },
    readBack: invoices,
  },
  [routeKey('POST', '/v1/invoices/:id/finalize')]: { auth: 'key', params: { id: 'invoice' }, readBack: invoices },
  [routeKey('POST', '/v1/invoices/:id/pay')]: { auth: 'key', params: { id: 'invoice' }, readBack: invoices },
  [routeKey('POST', '/v1/invoices/:id/void')]: { auth: 'key', params: { id: 'invoice' }, readBack: invoices },
  [routeKey('POST', '/v1/invoices/:id/mark_uncollectible')]: {
    auth: 'key',
    params: { id: 'invoice' },
    readBack: invoices,
  },

  ...webhookRouteDescriptions,

  // Usage alerts (issue 14)
  [routeKey('POST', '/v1/alerts')]: {
    auth: 'key',
    body: CreateAlertBody,
    sample: (f) => ({ meter_code: f.meter, threshold: '250.5', customer_id: f.customer }),
    readBack: alerts,
  },
  [routeKey('GET', '/v1/alerts')]: { auth: 'key', query: ListAlertsQuery },
  [routeKey('GET', '/v1/alerts/:id')]: { auth: 'key', params: { id: 'alert' } },
  [routeKey('DELETE', '/v1/alerts/:id')]: { auth: 'key', params: { id: 'alert' }, readBack: alerts },

  // Invoice emails (issue 14): notification settings, an invoice's email log and a retry of one
  [routeKey('GET', '/v1/notification_settings')]: { auth: 'key' },
  [routeKey('PATCH', '/v1/notification_settings')]: {
    auth: 'key',
    body: UpdateNotificationSettingsBody,
    sample: () => ({ email: { from_address: 'billing@acme.example', send_in_test_mode: true } }),
    readBack: () => ['/v1/notification_settings'],
  },
  [routeKey('GET', '/v1/invoices/:id/emails')]: { auth: 'key', params: { id: 'invoice' } },
  [routeKey('POST', '/v1/invoices/:id/emails/:email_id/retry')]: {
    auth: 'key',
    params: { id: 'emailedInvoice', email_id: 'invoiceEmail' },
    readBack: (f) => [`/v1/invoices/${f.emailedInvoice}/emails`],
  },
  // A window around now, so the sample replays the fixture's email; read back once it has had its second attempt
  // (the next is minutes away), so none comes on its own.
  [routeKey('POST', '/v1/invoice_emails/replay')]: {
    auth: 'key',
    body: ReplayInvoiceEmailsBody,
    sample: () => ({ from: hoursFromNow(-24), to: hoursFromNow(24), kinds: ['invoice'] }),
    readBack: (f) => (f.invoiceEmail ? [`/v1/invoices/${f.emailedInvoice}/emails`] : []),
  },

  // Payments (issue 15): payment settings, in live mode (the fuzzed key's), so the sample's Stripe keys are live ones
  [routeKey('GET', '/v1/payment_settings')]: { auth: 'key' },
  [routeKey('PATCH', '/v1/payment_settings')]: {
    auth: 'key',
    body: UpdatePaymentSettingsBody,
    sample: () => ({
      providers: {
        stripe: {
          secret_key: 'sk_live_51FuzzSecretKey00004242',
          webhook_secret: 'whsec_FuzzWebhookSecret0000',
          publishable_key: 'pk_live_51FuzzPublishableKey00',
        },
        bank_transfer: { instructions: 'Pay by bank transfer within 14 days.', iban: 'DE89370400440532013000' },
      },
      retry_schedule: { days_after_failure: [1, 3, 7] },
      after_final_failure: 'leave_open',
    }),
    readBack: () => ['/v1/payment_settings'],
  },

  // Invoice payments (issue 15)
  [routeKey('POST', '/v1/invoices/:id/payments')]: {
    auth: 'key',
    params: { id: 'payableInvoice' },
    body: RecordPaymentBody,
    sample: () => ({ amount_cents: 100, method: 'bank_transfer', reference: 'SEPA-1' }),
    readBack: (f) => [`/v1/invoices/${f.payableInvoice}/payments`, `/v1/invoices/${f.payableInvoice}`],
  },
  [routeKey('GET', '/v1/invoices/:id/payments')]: { auth: 'key', params: { id: 'payableInvoice' } },
  [routeKey('POST', '/v1/invoices/:id/payments/:payment_id/refund')]: {
    auth: 'key',
    params: { id: 'payableInvoice', payment_id: 'invoicePayment' },
    body: RefundPaymentBody,
    sample: () => ({ amount_cents: 1 }),
    readBack: (f) => [`/v1/invoices/${f.payableInvoice}/payments`, `/v1/invoices/${f.payableInvoice}`],
  },
};

function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}
