import type { InternalApi } from '@afternoon/service-kit';
import type { Router } from 'express';
import type pg from 'pg';
import { alertRoutes } from './alerts/alertRoutes';
import { balanceRoutes } from './balances/balanceRoutes';
import { billingSettingsRoutes } from './billingSettings/billingSettingsRoutes';
import { creditGrantRoutes } from './creditGrants/creditGrantRoutes';
import { customerRoutes } from './customers/customerRoutes';
import type { GatewayEnv } from './env';
import { invoiceEmailRoutes } from './invoiceEmails/invoiceEmailRoutes';
import { invoiceRoutes } from './invoices/invoiceRoutes';
import type { GatewayMessaging } from './messaging';
import { meterRoutes } from './meters/meterRoutes';
import { notificationSettingsRoutes } from './notificationSettings/notificationSettingsRoutes';
import { organizationProfileRoutes } from './organizationProfile/organizationProfileRoutes';
import { paymentSettingsRoutes } from './paymentSettings/paymentSettingsRoutes';
import { planRoutes } from './plans/planRoutes';
import { pricingUnitRoutes } from './pricingUnits/pricingUnitRoutes';
import type { RouteDeps } from './routeDeps';
import { subscriptionRoutes } from './subscriptions/subscriptionRoutes';
import { testClockRoutes } from './testClocks/testClockRoutes';
import { usageRoutes } from './usage/usageRoutes';
import { eventsLogRoutes } from './webhooks/eventsLogRoutes';
import { webhookDeliveryRoutes } from './webhooks/webhookDeliveryRoutes';
import { webhookEndpointRoutes } from './webhooks/webhookEndpointRoutes';

/** The public API, one module per resource, behind the API key and the rate limits. */
const publicRoutes: ((deps: RouteDeps) => Router)[] = [
  customerRoutes,
  usageRoutes,
  meterRoutes,
  planRoutes,
  subscriptionRoutes,
  testClockRoutes,
  billingSettingsRoutes,
  invoiceRoutes,
  pricingUnitRoutes,
  creditGrantRoutes,
  balanceRoutes,
  webhookEndpointRoutes,
  webhookDeliveryRoutes,
  eventsLogRoutes,
  alertRoutes,
  // Invoice emails (issue 14)
  notificationSettingsRoutes,
  invoiceEmailRoutes,
  // Payments (issue 15)
  paymentSettingsRoutes,
  organizationProfileRoutes,
];

/** Every public route module, built over what they share. */
export function publicApi(deps: RouteDeps): Router[] {
  return publicRoutes.map((routes) => routes(deps));
}

/** What the public routes share: the requests pool, the Kafka side and the services' read APIs. */
export function routeDeps(env: GatewayEnv, pool: pg.Pool, messaging: GatewayMessaging): RouteDeps {
  const { bus, kafka, producer, usageCustomers } = messaging;
  return {
    pool,
    bus,
    kafka,
    producer,
    produceTimeoutMs: env.PRODUCE_TIMEOUT_MS,
    commandTimeoutMs: env.COMMAND_TIMEOUT_MS,
    // A command waits at most for the broker's ack and then for its reply.
    idempotencyClaimMs: env.PRODUCE_TIMEOUT_MS + env.COMMAND_TIMEOUT_MS,
    services: internalApis(env),
    publicUrl: env.PUBLIC_URL,
    paymentSecretsKey: env.PAYMENT_SECRETS_KEY ?? null,
    usageCustomers,
  };
}

/** The services' internal read APIs: where each answers, and the token they all ask. */
export function internalApis(env: GatewayEnv): RouteDeps['services'] {
  const api = (url: string): InternalApi => ({ url, token: env.INTERNAL_API_TOKEN });
  return {
    customers: api(env.CUSTOMER_SERVICE_URL),
    metering: api(env.METERING_SERVICE_URL),
    invoicing: api(env.INVOICING_SERVICE_URL),
    notifications: api(env.NOTIFICATION_SERVICE_URL),
  };
}
