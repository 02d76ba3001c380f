import { ledgerOf, type Tenant } from './ledger';
import { callUntilAnswered } from './resilientCaller';
import type { LoadContext } from './usageLoad';

const pauseBetweenWritesMs = 250;

/** Creates customers one after another, each with an Idempotency-Key it keeps through every retry. */
export async function customerWriter(context: LoadContext, tenant: Tenant): Promise<void> {
  const ledger = ledgerOf(context.ledger, tenant.organizationId);
  for (let index = 0; context.running(); index++) {
    const key = `faults-customer-${tenant.organizationId}-${index}`;
    const answer = await callUntilAnswered({
      ...call(context, tenant),
      method: 'POST',
      path: '/v1/customers',
      body: { name: `Faults customer ${index}`, external_id: key },
      idempotencyKey: key,
    });
    if (answer?.status === 201) ledger.customersCreated.set(key, answer.body.customer.id);
    else if (answer) throw new Error(`customer create refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, pauseBetweenWritesMs));
  }
}

/** Creates and finalizes invoices, several at once: numbering must stay gapless and unique whatever fails. */
export async function invoiceWriter(context: LoadContext, tenant: Tenant, worker: number): Promise<void> {
  const ledger = ledgerOf(context.ledger, tenant.organizationId);
  for (let index = 0; context.running(); index++) {
    const key = `faults-invoice-${tenant.organizationId}-${worker}-${index}`;
    const created = await callUntilAnswered({
      ...call(context, tenant),
      method: 'POST',
      path: '/v1/invoices',
      body: {
        customer_id: context.random.pick(tenant.customerIds),
        collection_method: 'send_invoice',
        days_until_due: 30,
        line_items: [{ description: 'Faults run', quantity: 1, unit_amount_cents: context.random.int(100, 9_999) }],
      },
      idempotencyKey: key,
    });
    if (!created) continue;
    if (created.status !== 201)
      throw new Error(`invoice create refused: ${created.status} ${JSON.stringify(created.body)}`);
    const invoiceId: string = created.body.invoice.id;
    const finalized = await callUntilAnswered({
      ...call(context, tenant),
      method: 'POST',
      path: `/v1/invoices/${invoiceId}/finalize`,
      idempotencyKey: `${key}-finalize`,
    });
    if (finalized?.status === 200) ledger.invoicesFinalized.set(invoiceId, finalized.body.invoice.invoice_number);
    else if (finalized) throw new Error(`finalize refused: ${finalized.status} ${JSON.stringify(finalized.body)}`);
  }
}

function call(context: LoadContext, tenant: Tenant) {
  return {
    baseUrl: context.baseUrl,
    apiKey: tenant.liveKey,
    giveUpAt: context.giveUpAt,
    tally: context.ledger.tally,
  };
}
