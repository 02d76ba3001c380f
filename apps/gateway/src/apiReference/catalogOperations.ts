import { BillingSettingsAnswer } from '@afternoon/contracts/billingSettings';
import { CreditGrantAnswer, CreditGrantList, CustomerBalancesAnswer } from '@afternoon/contracts/credits';
import { CustomerList } from '@afternoon/contracts/customers';
import { UpcomingInvoiceAnswer } from '@afternoon/contracts/invoices';
import { MeterAnswer, MeterList, MeterTopCustomersAnswer, MeterUsageAnswer } from '@afternoon/contracts/meters';
import { LinkedCustomerAnswer } from '@afternoon/contracts/paymentLinks';
import { PlanAnswer, PlanList } from '@afternoon/contracts/plans';
import { PricingUnitAnswer, PricingUnitList } from '@afternoon/contracts/pricingUnits';
import { ChangedPlanAnswer, DeletedCustomerAnswer, IngestAnswer } from '@afternoon/contracts/publicAnswers';
import { SubscriptionAnswer, SubscriptionList } from '@afternoon/contracts/subscriptions';
import { TestClockAnswer, TestClockList } from '@afternoon/contracts/testClocks';
import { CustomerUsageAnswer, EventSummaryAnswer, RejectedEventList, UsageEventList } from '@afternoon/contracts/usage';
import { z } from 'zod';
import { routeKey } from '../hostile/routeFuzz';
import { type Operation, op } from './operation';

/** The catalog side's operations: customers, usage, meters, plans, subscriptions, clocks, credits, settings. */
export const catalogOperations: Record<string, Operation> = {
  [routeKey('POST', '/v1/customers')]: op('createCustomer', 'Create a customer', LinkedCustomerAnswer, 201),
  [routeKey('GET', '/v1/customers')]: op('listCustomers', 'List customers, newest first', CustomerList),
  [routeKey('GET', '/v1/customers/:id')]: op('getCustomer', 'Retrieve a customer', LinkedCustomerAnswer),
  [routeKey('PATCH', '/v1/customers/:id')]: op('updateCustomer', 'Update a customer', LinkedCustomerAnswer),
  [routeKey('DELETE', '/v1/customers/:id')]: op('deleteCustomer', 'Delete a customer', DeletedCustomerAnswer),
  [routeKey('GET', '/v1/customers/:id/usage')]: op(
    'getCustomerUsage',
    "A customer's usage, by event name or by meter",
    z.union([CustomerUsageAnswer, MeterUsageAnswer]),
  ),
  [routeKey('GET', '/v1/customers/:id/balances')]: op(
    'getCustomerBalances',
    "A customer's credit balances",
    CustomerBalancesAnswer,
  ),

  [routeKey('POST', '/v1/events/ingest')]: op('ingestEvents', 'Send usage events', IngestAnswer),
  [routeKey('GET', '/v1/events')]: op('listEvents', 'List stored usage events', UsageEventList),
  [routeKey('GET', '/v1/events/rejected')]: op('listRejectedEvents', 'List refused usage events', RejectedEventList),
  [routeKey('GET', '/v1/events/summary')]: op('getEventSummary', "The ingest ledger's summary", EventSummaryAnswer),

  [routeKey('POST', '/v1/meters')]: op('createMeter', 'Create a meter', MeterAnswer, 201),
  [routeKey('GET', '/v1/meters')]: op('listMeters', 'List meters', MeterList),
  [routeKey('GET', '/v1/meters/:code')]: op('getMeter', 'Retrieve a meter', MeterAnswer),
  [routeKey('PATCH', '/v1/meters/:code')]: op('updateMeter', 'Update a meter', MeterAnswer),
  [routeKey('POST', '/v1/meters/:code/archive')]: op('archiveMeter', 'Archive a meter', MeterAnswer),
  [routeKey('GET', '/v1/meters/:code/usage')]: op('getMeterUsage', "A meter's top customers", MeterTopCustomersAnswer),

  [routeKey('POST', '/v1/plans')]: op('createPlan', 'Create a plan', PlanAnswer, 201),
  [routeKey('GET', '/v1/plans')]: op('listPlans', 'List plans', PlanList),
  [routeKey('GET', '/v1/plans/:code')]: op('getPlan', 'Retrieve a plan (a version of it)', PlanAnswer),
  [routeKey('PATCH', '/v1/plans/:code')]: op('revisePlan', 'Revise a plan', PlanAnswer),
  [routeKey('POST', '/v1/plans/:code/archive')]: op('archivePlan', 'Archive a plan', PlanAnswer),

  [routeKey('POST', '/v1/subscriptions')]: op('createSubscription', 'Subscribe a customer', SubscriptionAnswer, 201),
  [routeKey('GET', '/v1/subscriptions')]: op('listSubscriptions', 'List subscriptions', SubscriptionList),
  [routeKey('GET', '/v1/subscriptions/:id')]: op('getSubscription', 'Retrieve a subscription', SubscriptionAnswer),
  [routeKey('PATCH', '/v1/subscriptions/:id')]: op('updateSubscription', 'Update a subscription', SubscriptionAnswer),
  [routeKey('POST', '/v1/subscriptions/:id/cancel')]: op(
    'cancelSubscription',
    'Cancel a subscription',
    SubscriptionAnswer,
  ),
  [routeKey('POST', '/v1/subscriptions/:id/change_plan')]: op(
    'changeSubscriptionPlan',
    "Change a subscription's plan",
    ChangedPlanAnswer,
  ),
  [routeKey('GET', '/v1/subscriptions/:id/upcoming_invoice')]: op(
    'getUpcomingInvoice',
    "Preview a subscription's next invoice",
    UpcomingInvoiceAnswer,
  ),

  [routeKey('POST', '/v1/test_clocks')]: op('createTestClock', 'Create a test clock', TestClockAnswer, 201),
  [routeKey('GET', '/v1/test_clocks')]: op('listTestClocks', 'List test clocks', TestClockList),
  [routeKey('GET', '/v1/test_clocks/:id')]: op('getTestClock', 'Retrieve a test clock', TestClockAnswer),
  [routeKey('POST', '/v1/test_clocks/:id/advance')]: op('advanceTestClock', 'Advance a test clock', TestClockAnswer),

  [routeKey('POST', '/v1/pricing_units')]: op('createPricingUnit', 'Create a pricing unit', PricingUnitAnswer, 201),
  [routeKey('GET', '/v1/pricing_units')]: op('listPricingUnits', 'List pricing units', PricingUnitList),
  [routeKey('GET', '/v1/pricing_units/:code')]: op('getPricingUnit', 'Retrieve a pricing unit', PricingUnitAnswer),

  [routeKey('POST', '/v1/subscriptions/:id/credit-grants')]: op(
    'createCreditGrant',
    'Grant credits to a subscription',
    CreditGrantAnswer,
    201,
  ),
  [routeKey('GET', '/v1/subscriptions/:id/credit-grants')]: op(
    'listCreditGrants',
    "List a subscription's credit grants",
    CreditGrantList,
  ),
  [routeKey('GET', '/v1/subscriptions/:id/credit-grants/:grant_id')]: op(
    'getCreditGrant',
    'Retrieve a credit grant',
    CreditGrantAnswer,
  ),
  [routeKey('POST', '/v1/subscriptions/:id/credit-grants/:grant_id/void')]: op(
    'voidCreditGrant',
    'Void a credit grant',
    CreditGrantAnswer,
  ),

  [routeKey('GET', '/v1/billing_settings')]: op('getBillingSettings', 'Billing settings', BillingSettingsAnswer),
  [routeKey('PATCH', '/v1/billing_settings')]: op(
    'updateBillingSettings',
    'Update billing settings',
    BillingSettingsAnswer,
  ),
};
