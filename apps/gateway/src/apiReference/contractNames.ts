import * as alerts from '@afternoon/contracts/alerts';
import * as billingSettings from '@afternoon/contracts/billingSettings';
import * as common from '@afternoon/contracts/common';
import * as credits from '@afternoon/contracts/credits';
import * as customers from '@afternoon/contracts/customers';
import * as invoiceEmails from '@afternoon/contracts/invoiceEmails';
import * as invoices from '@afternoon/contracts/invoices';
import * as meters from '@afternoon/contracts/meters';
import * as notificationSettings from '@afternoon/contracts/notificationSettings';
import * as organizationProfile from '@afternoon/contracts/organizationProfile';
import * as paymentLinks from '@afternoon/contracts/paymentLinks';
import * as paymentSettings from '@afternoon/contracts/paymentSettings';
import * as plans from '@afternoon/contracts/plans';
import * as priceModels from '@afternoon/contracts/priceModels';
import * as pricingUnits from '@afternoon/contracts/pricingUnits';
import * as publicAnswers from '@afternoon/contracts/publicAnswers';
import * as subscriptions from '@afternoon/contracts/subscriptions';
import * as syncIngest from '@afternoon/contracts/syncIngest';
import * as testClocks from '@afternoon/contracts/testClocks';
import * as usage from '@afternoon/contracts/usage';
import * as webhooks from '@afternoon/contracts/webhooks';
import { z } from 'zod';

const contexts = [
  common,
  customers,
  usage,
  syncIngest,
  meters,
  plans,
  priceModels,
  subscriptions,
  testClocks,
  pricingUnits,
  credits,
  billingSettings,
  invoices,
  invoiceEmails,
  notificationSettings,
  paymentSettings,
  paymentLinks,
  organizationProfile,
  webhooks,
  alerts,
  publicAnswers,
];

/**
 * Every schema the contracts export, under its export name (`Customer`, `InvoiceAnswer`): registered as components,
 * the document names each schema it uses as the code does, and an SDK generated from it gets the same type names.
 * The first name wins where one schema is exported twice.
 */
export function contractSchemas(): Record<string, z.ZodType> {
  const named = new Map<z.ZodType, string>();
  for (const context of contexts) {
    for (const [name, value] of Object.entries(context)) {
      if (value instanceof z.ZodType && !named.has(value)) named.set(value, name);
    }
  }
  return Object.fromEntries([...named].map(([schema, name]) => [name, schema]));
}
