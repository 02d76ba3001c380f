import type { oas31 } from 'zod-openapi';

/** The document's tags, in the order the reference lists them: one per resource, by the path's first segment. */
export const tags: oas31.TagObject[] = [
  { name: 'Customers', description: 'The customers you bill' },
  { name: 'Usage events', description: 'Sending usage, and what became of it' },
  { name: 'Meters', description: 'What usage is counted, and how' },
  { name: 'Plans', description: 'Prices, fees and their versions' },
  { name: 'Subscriptions', description: 'Customers on plans, and their credits' },
  { name: 'Test clocks', description: 'Simulated time, in test mode' },
  { name: 'Pricing units', description: 'Custom units credits are granted in' },
  { name: 'Invoices', description: 'Drafts, finalized invoices, payments and emails' },
  { name: 'Webhooks', description: 'Endpoints Afternoon sends events to, and their deliveries' },
  { name: 'Alerts', description: 'Usage thresholds' },
  { name: 'Settings', description: 'Billing, notification and payment settings; the organization profile' },
  {
    name: 'Incoming webhooks',
    description: 'Receivers for events other services send Afternoon (signed; no API key)',
  },
];

const bySegment: Record<string, string> = {
  customers: 'Customers',
  events: 'Usage events',
  meters: 'Meters',
  plans: 'Plans',
  subscriptions: 'Subscriptions',
  test_clocks: 'Test clocks',
  pricing_units: 'Pricing units',
  invoices: 'Invoices',
  invoice_emails: 'Invoices',
  webhook_endpoints: 'Webhooks',
  webhook_deliveries: 'Webhooks',
  events_log: 'Webhooks',
  alerts: 'Alerts',
  billing_settings: 'Settings',
  notification_settings: 'Settings',
  payment_settings: 'Settings',
  organization_profile: 'Settings',
};

/** A route's tag: by its first segment after `/v1`; the receivers under `/webhooks` are incoming webhooks. */
export function tagOf(path: string): string {
  if (path.startsWith('/webhooks/')) return 'Incoming webhooks';
  const segment = path.split('/')[2] ?? '';
  // A new resource is tagged by its segment until it is named above (the document's test asks for that).
  return bySegment[segment] ?? segment;
}
