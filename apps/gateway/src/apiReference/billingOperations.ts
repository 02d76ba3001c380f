import { AlertAnswer, AlertList } from '@afternoon/contracts/alerts';
import { InvoiceEmailAnswer, InvoiceEmailList, InvoiceEmailReplayAnswer } from '@afternoon/contracts/invoiceEmails';
import {
  InvoiceAnswer,
  InvoiceList,
  InvoicePaymentAnswer,
  InvoicePaymentList,
  InvoiceRefundAnswer,
} from '@afternoon/contracts/invoices';
import { MeterUsageEventList } from '@afternoon/contracts/meters';
import { NotificationSettingsAnswer } from '@afternoon/contracts/notificationSettings';
import { PaymentSettingsAnswer } from '@afternoon/contracts/paymentSettings';
import {
  DeletedAlertAnswer,
  DeletedInvoiceAnswer,
  DeletedWebhookEndpointAnswer,
  OrganizationProfileAnswer,
  StripeWebhookReceipt,
  WebhookEndpointWithSecretAnswer,
} from '@afternoon/contracts/publicAnswers';
import {
  ReplayAnswer,
  WebhookDeliveryAnswer,
  WebhookDeliveryList,
  WebhookEndpointAnswer,
  WebhookEndpointList,
  WebhookEventList,
} from '@afternoon/contracts/webhooks';
import { routeKey } from '../hostile/routeFuzz';
import { type Operation, op } from './operation';

const invoice = (operationId: string, summary: string) => op(operationId, summary, InvoiceAnswer);

/** The billing side's operations: invoices and their payments and emails, webhooks, alerts, settings. */
export const billingOperations: Record<string, Operation> = {
  [routeKey('POST', '/v1/invoices')]: op('createInvoice', 'Create a draft invoice', InvoiceAnswer, 201),
  [routeKey('GET', '/v1/invoices')]: op('listInvoices', 'List invoices', InvoiceList),
  [routeKey('GET', '/v1/invoices/:id')]: invoice('getInvoice', 'Retrieve an invoice'),
  [routeKey('PATCH', '/v1/invoices/:id')]: invoice('updateInvoice', 'Update a draft invoice'),
  [routeKey('DELETE', '/v1/invoices/:id')]: op('deleteInvoice', 'Delete a draft invoice', DeletedInvoiceAnswer),
  [routeKey('POST', '/v1/invoices/:id/line_items')]: invoice('addInvoiceLineItem', 'Add a line to a draft invoice'),
  [routeKey('PATCH', '/v1/invoices/:id/line_items/:line_item_id')]: invoice(
    'updateInvoiceLineItem',
    "Update a draft invoice's line",
  ),
  [routeKey('DELETE', '/v1/invoices/:id/line_items/:line_item_id')]: invoice(
    'deleteInvoiceLineItem',
    "Delete a draft invoice's line",
  ),
  [routeKey('GET', '/v1/invoices/:id/line_items/:line_item_id/events')]: op(
    'listLineItemEvents',
    'The usage events a usage line billed',
    MeterUsageEventList,
  ),
  [routeKey('POST', '/v1/invoices/:id/finalize')]: invoice('finalizeInvoice', 'Finalize a draft invoice'),
  [routeKey('POST', '/v1/invoices/:id/pay')]: invoice('payInvoice', 'Mark an invoice paid in full'),
  [routeKey('POST', '/v1/invoices/:id/void')]: invoice('voidInvoice', 'Void an invoice'),
  [routeKey('POST', '/v1/invoices/:id/mark_uncollectible')]: invoice(
    'markInvoiceUncollectible',
    'Mark an invoice uncollectible',
  ),
  [routeKey('POST', '/v1/invoices/:id/payments')]: op(
    'recordInvoicePayment',
    'Record a payment received outside Afternoon',
    InvoicePaymentAnswer,
    201,
  ),
  [routeKey('GET', '/v1/invoices/:id/payments')]: op(
    'listInvoicePayments',
    "List an invoice's payments and refunds",
    InvoicePaymentList,
  ),
  [routeKey('POST', '/v1/invoices/:id/payments/:payment_id/refund')]: op(
    'refundInvoicePayment',
    'Refund a payment, in full or in part',
    InvoiceRefundAnswer,
    201,
  ),
  [routeKey('GET', '/v1/invoices/:id/emails')]: op('listInvoiceEmails', "An invoice's emails", InvoiceEmailList),
  [routeKey('POST', '/v1/invoices/:id/emails/:email_id/retry')]: op(
    'retryInvoiceEmail',
    'Send an invoice email again',
    InvoiceEmailAnswer,
  ),
  [routeKey('POST', '/v1/invoice_emails/replay')]: op(
    'replayInvoiceEmails',
    'Send again the emails first scheduled in a window',
    InvoiceEmailReplayAnswer,
  ),

  [routeKey('GET', '/v1/notification_settings')]: op(
    'getNotificationSettings',
    'Notification settings',
    NotificationSettingsAnswer,
  ),
  [routeKey('PATCH', '/v1/notification_settings')]: op(
    'updateNotificationSettings',
    'Update notification settings',
    NotificationSettingsAnswer,
  ),
  [routeKey('GET', '/v1/payment_settings')]: op('getPaymentSettings', 'Payment settings', PaymentSettingsAnswer),
  [routeKey('PATCH', '/v1/payment_settings')]: op(
    'updatePaymentSettings',
    'Update payment settings',
    PaymentSettingsAnswer,
  ),
  [routeKey('GET', '/v1/organization_profile')]: op(
    'getOrganizationProfile',
    'The organization profile invoices are branded with',
    OrganizationProfileAnswer,
  ),
  [routeKey('PATCH', '/v1/organization_profile')]: op(
    'updateOrganizationProfile',
    'Update the organization profile',
    OrganizationProfileAnswer,
  ),

  [routeKey('POST', '/v1/webhook_endpoints')]: op(
    'createWebhookEndpoint',
    'Create a webhook endpoint (its secret is shown once)',
    WebhookEndpointWithSecretAnswer,
    201,
  ),
  [routeKey('GET', '/v1/webhook_endpoints')]: op('listWebhookEndpoints', 'List webhook endpoints', WebhookEndpointList),
  [routeKey('GET', '/v1/webhook_endpoints/:id')]: op(
    'getWebhookEndpoint',
    'Retrieve a webhook endpoint',
    WebhookEndpointAnswer,
  ),
  [routeKey('PATCH', '/v1/webhook_endpoints/:id')]: op(
    'updateWebhookEndpoint',
    'Update a webhook endpoint',
    WebhookEndpointAnswer,
  ),
  [routeKey('DELETE', '/v1/webhook_endpoints/:id')]: op(
    'deleteWebhookEndpoint',
    'Delete a webhook endpoint',
    DeletedWebhookEndpointAnswer,
  ),
  [routeKey('POST', '/v1/webhook_endpoints/:id/rotate_secret')]: op(
    'rotateWebhookSecret',
    "Rotate a webhook endpoint's signing secret",
    WebhookEndpointWithSecretAnswer,
  ),
  [routeKey('GET', '/v1/webhook_endpoints/:id/deliveries')]: op(
    'listWebhookDeliveries',
    "List an endpoint's deliveries",
    WebhookDeliveryList,
  ),
  [routeKey('POST', '/v1/webhook_endpoints/:id/replay')]: op(
    'replayWebhookEvents',
    'Deliver past events to an endpoint again',
    ReplayAnswer,
  ),
  [routeKey('POST', '/v1/webhook_deliveries/:id/retry')]: op(
    'retryWebhookDelivery',
    'Retry a webhook delivery',
    WebhookDeliveryAnswer,
  ),
  [routeKey('GET', '/v1/events_log')]: op('listWebhookEvents', 'The events log webhooks deliver', WebhookEventList),

  [routeKey('POST', '/v1/alerts')]: op('createAlert', 'Create a usage alert', AlertAnswer, 201),
  [routeKey('GET', '/v1/alerts')]: op('listAlerts', 'List usage alerts', AlertList),
  [routeKey('GET', '/v1/alerts/:id')]: op('getAlert', 'Retrieve a usage alert', AlertAnswer),
  [routeKey('DELETE', '/v1/alerts/:id')]: op('deleteAlert', 'Delete a usage alert', DeletedAlertAnswer),

  [routeKey('POST', '/webhooks/stripe/:organization_id')]: {
    ...op('receiveStripeEvent', "Stripe's signed events for an organization's payments", StripeWebhookReceipt),
    signatureHeader: 'Stripe-Signature',
  },
};
