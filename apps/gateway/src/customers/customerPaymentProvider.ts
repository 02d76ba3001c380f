import { Customer, CustomerAnswer } from '@afternoon/contracts/customers';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import {
  type CustomerPaymentProvider,
  CustomerPaymentProviderAnswer,
  type PatchCustomerBody,
  type PaymentLinkCommand,
} from '@afternoon/contracts/paymentLinks';
import { Topics } from '@afternoon/contracts/topics';
import type { Response } from 'express';
import { sendCommand } from '../commands/commandRoute';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import type { StoredResponse } from '../idempotency/idempotencyOutcome';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/*
 * A customer as the API shows it is composed: the details from customer-service, `payment_provider` from invoicing,
 * which keeps the link because it is the one that charges (ADR 0021).
 */

/** The customer with their payment link, read from both services. */
export async function composedCustomer(deps: RouteDeps, caller: Caller, id: string) {
  const [{ customer }, link] = await Promise.all([
    queryService(deps.services.customers, `/customers/${id}`, caller, CustomerAnswer),
    paymentProviderOf(deps, caller, id),
  ]);
  return { ...customer, payment_provider: link };
}

async function paymentProviderOf(deps: RouteDeps, caller: Caller, id: string) {
  const answer = await queryService(
    deps.services.invoicing,
    `/customers/${id}/payment-provider`,
    caller,
    CustomerPaymentProviderAnswer,
  );
  return answer.payment_provider;
}

/**
 * Sends the details to customer-service (which refuses an unknown customer first), then the payment link, if the
 * body has one, to invoicing under an id derived from the first command's: a retried request (same
 * Idempotency-Key, same first command) makes the same link command, which invoicing handles once.
 */
export async function patchCustomer(
  deps: RouteDeps,
  caller: Caller,
  update: CommandRecord,
  paymentProvider: PatchCustomerBody['payment_provider'],
  response: Response,
): Promise<StoredResponse> {
  const requestId: string = response.locals.requestId;
  const customerId = (update.data as { customer_id: string }).customer_id;
  const updated = await sendCommand(deps.bus, Topics.customerCommands, customerId, update);
  if (!updated.ok) return refusal(updated.error, requestId);
  let link: CustomerPaymentProvider | null;
  if (paymentProvider === undefined) link = await paymentProviderOf(deps, caller, customerId);
  else {
    const command = linkCommand(customerId, paymentProvider);
    const record = { ...command, metadata: { ...update.metadata, command_id: `${update.metadata.command_id}_link` } };
    const linked = await sendCommand(deps.bus, Topics.invoiceCommands, customerId, record);
    if (!linked.ok) return refusal(linked.error, requestId);
    link = CustomerPaymentProviderAnswer.parse(linked.result).payment_provider;
  }
  const customer = { ...Customer.parse(updated.result), payment_provider: link };
  return { status: 200, body: { success: true, customer, request_id: requestId } };
}

function linkCommand(customerId: string, link: NonNullable<PatchCustomerBody['payment_provider']> | null) {
  if (link === null)
    return { type: 'UnlinkCustomerPaymentProvider', data: { customer_id: customerId } } satisfies PaymentLinkCommand;
  return {
    type: 'LinkCustomerPaymentProvider',
    data: {
      customer_id: customerId,
      provider: 'stripe',
      stripe_customer_id: link.stripe_customer_id,
      default_payment_method_id: link.default_payment_method_id ?? null,
      source: 'api',
    },
  } satisfies PaymentLinkCommand;
}

function refusal(error: ApiHttpError['error'], requestId: string): StoredResponse {
  return { status: new ApiHttpError(error).status, body: { success: false, error, request_id: requestId } };
}
