import type { AlertCommand } from './alerts';
import type { BillingSettingsCommand } from './billingSettings';
import type { CreditGrantCommand } from './credits';
import type { CustomerCommand } from './customers';
import type { InvoiceEmailCommand } from './invoiceEmails';
import type { InvoiceCommand } from './invoices';
import type { MeterCommand } from './meters';
import type { NotificationSettingsCommand } from './notificationSettings';
import type { PaymentLinkCommand } from './paymentLinks';
import type { PaymentSettingsCommand } from './paymentSettings';
import type { PlanCommand } from './plans';
import type { PricingUnitCommand } from './pricingUnits';
import type { SubscriptionCommand } from './subscriptions';
import type { TestClockCommand } from './testClocks';
import type { WebhookCommand } from './webhooks';

/** The commands each `<service>.commands` topic carries, by the topic's name: what its owning service accepts. */
export interface CommandsOnTopic {
  'customer.commands': CustomerCommand;
  'meter.commands': MeterCommand;
  'invoice.commands':
    | InvoiceCommand
    | PlanCommand
    | SubscriptionCommand
    | TestClockCommand
    | BillingSettingsCommand
    | PricingUnitCommand
    | CreditGrantCommand
    | PaymentSettingsCommand
    | PaymentLinkCommand;
  'notification.commands': WebhookCommand | AlertCommand | NotificationSettingsCommand | InvoiceEmailCommand;
}
export type CommandTopicName = keyof CommandsOnTopic;
