import {
  type CreateCreditGrant,
  CreditGrantEvent,
  creditGrantEventWireNames,
  type VoidCreditGrant,
} from '@afternoon/contracts/credits';
import {
  InvoicePaymentEvent,
  type InvoicePaymentRecorded,
  type InvoicePaymentRefunded,
  invoicePaymentEventWireNames,
  type InvoicePaymentEvent as PaymentEvent,
} from '@afternoon/contracts/invoices';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import {
  type ConsumedRecord,
  type ConsumerContext,
  type ConsumerDefinition,
  decodeEventRecord,
  foldEvents,
  readStream,
  recordEvents,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { creditGrantDecider } from '../creditGrants/businessLogic';
import { creditGrantStream } from '../creditGrants/creditGrant';
import { enrichCreditGrantCommand } from '../creditGrants/enrichCreditGrantCommand';
import { creditGrantsProjection } from '../creditGrants/getCreditGrants';
import { getInvoice } from '../invoices/getInvoices';
import {
  creditAfterRefund,
  type Overpayment,
  overpaymentGrant,
  overpaymentGrantId,
  remainderGrantId,
} from './overpaymentCredit';
import { activeOverpaymentCredit, creditedSubscription } from './overpaymentCreditLookups';

/**
 * Turns what a provider's payment brought beyond the amount due into the customer's credit, once per payment (the
 * grant's id is the payment's), and takes a refund of that payment from the credit's unused part first
 * (`creditAfterRefund`). Reads the invoice's own events; the grants are recorded with the consumer's offsets.
 */
export const overpaymentCreditsConsumer: ConsumerDefinition = {
  name: 'overpayment-credits',
  topics: [Topics.invoiceEvents],
  deadLetterTopic: Topics.consumerDeadLetter,
  async handle(tx, record, context) {
    const decoded = decodeEventRecord(record, InvoicePaymentEvent, invoicePaymentEventWireNames);
    if (!decoded || !isCreditRelevant(decoded.event)) return context.skip();
    context.setType(decoded.event.type);
    const metadata = causedBy(record, decoded.metadata);
    if (decoded.event.type === 'InvoicePaymentRecorded') await creditOverpayment(tx, decoded.event, metadata, context);
    else await takeRefundFromCredit(tx, decoded.event, metadata, context);
  },
};

function isCreditRelevant(event: PaymentEvent): event is InvoicePaymentRecorded | InvoicePaymentRefunded {
  if (event.type === 'InvoicePaymentRecorded') return (event.data.unapplied_cents ?? 0) > 0;
  return event.type === 'InvoicePaymentRefunded';
}

async function creditOverpayment(
  tx: Transaction,
  event: InvoicePaymentRecorded,
  metadata: EventMetadata,
  context: ConsumerContext,
): Promise<void> {
  const { invoice_id, payment_id, unapplied_cents = 0 } = event.data;
  const overpayment = await overpaymentOf(tx, tenantOf(metadata), invoice_id, payment_id, context);
  if (!overpayment) return;
  const grant = overpaymentGrant({ ...overpayment, amountCents: unapplied_cents }, overpaymentGrantId(payment_id));
  await createGrant(tx, grant, metadata, context);
}

async function takeRefundFromCredit(
  tx: Transaction,
  event: InvoicePaymentRefunded,
  metadata: EventMetadata,
  context: ConsumerContext,
): Promise<void> {
  const tenant = tenantOf(metadata);
  const { payment_id, refund_id, amount_cents, invoice_id } = event.data;
  const credit = await activeOverpaymentCredit(tx, tenant, payment_id);
  const after = creditAfterRefund(credit.unusedCents, amount_cents);
  if (!after.voidCredit) return;
  for (const grant of credit.grants) {
    const command: VoidCreditGrant = {
      type: 'VoidCreditGrant',
      data: { grant_id: grant.id, subscription_id: grant.subscriptionId },
    };
    await decideGrant(tx, command, metadata, context);
  }
  if (after.remainderCents <= 0) return;
  const overpayment = await overpaymentOf(tx, tenant, invoice_id, payment_id, context);
  if (!overpayment) return;
  const name = `Overpayment on ${overpayment.invoiceNumber ?? invoice_id}, less a refund`;
  const grant = overpaymentGrant(
    { ...overpayment, amountCents: after.remainderCents },
    remainderGrantId(refund_id),
    name,
  );
  await createGrant(tx, grant, metadata, context);
}

/** The invoice's overpayment and the subscription its credit goes on; undefined (logged) when there is none. */
async function overpaymentOf(
  tx: Transaction,
  tenant: Tenant,
  invoiceId: string,
  paymentId: string,
  context: ConsumerContext,
): Promise<Omit<Overpayment, 'amountCents'> | undefined> {
  const invoice = await getInvoice(tx, tenant, invoiceId);
  const subscriptionId = invoice && (await creditedSubscription(tx, tenant, invoice));
  if (!invoice || !subscriptionId) {
    context.logger.warn(
      { invoice_id: invoiceId, payment_id: paymentId },
      'overpayment left unapplied: the customer has no running subscription to credit',
    );
    return undefined;
  }
  const { invoice_number, currency } = invoice;
  return { invoiceId, invoiceNumber: invoice_number, paymentId, currency, subscriptionId };
}

async function createGrant(
  tx: Transaction,
  data: CreateCreditGrant['data'],
  metadata: EventMetadata,
  context: ConsumerContext,
): Promise<void> {
  await decideGrant(tx, { type: 'CreateCreditGrant', data }, metadata, context);
}

/** Decides the grant command as its aggregate would, at the customer's now; a grant already created is left as is. */
async function decideGrant(
  tx: Transaction,
  command: CreateCreditGrant | VoidCreditGrant,
  metadata: EventMetadata,
  context: ConsumerContext,
): Promise<void> {
  const tenant = tenantOf(metadata);
  const streamId = creditGrantStream(command.data.grant_id);
  const history = (await readStream(tx, streamId, tenant)).map((stored) => CreditGrantEvent.parse(stored));
  if (command.type === 'CreateCreditGrant' && history.length > 0) return;
  const sent = { ...command, metadata: commandMetadataOf(metadata, command) };
  const enriched = await enrichCreditGrantCommand(tx, sent, context);
  const events = creditGrantDecider.decide(enriched, foldEvents(creditGrantDecider, history));
  await recordEvents(tx, context.schema, {
    streamId,
    expectedVersion: history.length,
    events,
    metadata: { ...metadata, occurred_at: enriched.metadata.issued_at },
    projections: [creditGrantsProjection],
    wireNames: creditGrantEventWireNames,
    topicOf: () => context.kafka.topic(Topics.invoiceEvents),
  });
}

function commandMetadataOf(metadata: EventMetadata, command: CreateCreditGrant | VoidCreditGrant) {
  const commandId = `${metadata.causation_id}/${command.type}/${command.data.grant_id}`;
  return {
    command_id: commandId,
    correlation_id: metadata.correlation_id,
    request_id: commandId,
    organization_id: metadata.organization_id,
    mode: metadata.mode,
    issued_at: metadata.occurred_at,
  };
}

const tenantOf = (metadata: EventMetadata): Tenant => ({
  organizationId: metadata.organization_id,
  mode: metadata.mode,
});

/** Caused by the invoice event's record, in the payment's correlation. */
function causedBy(record: ConsumedRecord, metadata: EventMetadata): EventMetadata {
  return { ...metadata, causation_id: `${record.topic}/${record.partition}/${record.offset}` };
}
