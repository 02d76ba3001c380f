import { randomUUID } from 'node:crypto';
import { ResourceId } from '@afternoon/contracts/common';
import {
  type StripeWebhookAnswer,
  StripeWebhookAnswer as StripeWebhookAnswerSchema,
  type StripeWebhookCommand,
} from '@afternoon/contracts/invoices';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { askService, ServiceRefusedError, ServiceUnavailableError } from '@afternoon/service-kit';
import express, { type Request, type Response, Router } from 'express';
import { CommandTimeoutError } from '../commands/commandBus';
import { ApiHttpError } from '../http/apiError';
import { respond } from '../http/respond';
import type { RouteDeps } from '../routeDeps';

/** Stripe's events are a few kilobytes; a body past this is no event of Stripe's. */
const stripeBodyLimit = '256kb';

/**
 * `POST /webhooks/stripe/:organization_id`: public (no API key, the signature is the proof) and outside `/v1`.
 * Mounted before the JSON body parser: Stripe signs the exact bytes it sends, so the body is read raw and handed to
 * invoicing, which verifies it with the organization's webhook secret and answers the invoice commands it stands for.
 * They are sent here and awaited: a 2xx tells Stripe the event is applied, anything else has Stripe deliver it again
 * (for up to three days), which is how a payment for an invoice not yet open, or a refund before its payment, waits.
 */
export function stripeWebhookRoutes(deps: Pick<RouteDeps, 'bus' | 'services'>): Router {
  const router = Router();
  router.post(
    '/webhooks/stripe/:organization_id',
    express.raw({ type: () => true, limit: stripeBodyLimit }),
    async (request: Request<{ organization_id: string }>, response: Response) => {
      const organizationId = request.params.organization_id;
      if (!ResourceId.safeParse(organizationId).success)
        throw ApiHttpError.of('VALIDATION_ERROR', 'No Stripe webhook is configured at this URL', 'organization_id');
      const signature = request.header('stripe-signature');
      if (!signature)
        throw ApiHttpError.of('VALIDATION_ERROR', 'Stripe-Signature header is required', 'stripe-signature');
      const body: unknown = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw ApiHttpError.of('VALIDATION_ERROR', 'The body must be the Stripe event as Stripe sent it');
      const answer = await verifiedByInvoicing(deps, organizationId, body, signature);
      for (const command of answer.commands) await sendCommand(deps, organizationId, answer, command, response);
      respond(response, 200, {
        received: true,
        event_id: answer.event_id,
        ignored: answer.commands.length === 0,
      });
    },
  );
  return router;
}

async function verifiedByInvoicing(
  deps: Pick<RouteDeps, 'services'>,
  organizationId: string,
  payload: Buffer,
  signature: string,
): Promise<StripeWebhookAnswer> {
  try {
    return await askService(deps.services.invoicing, {
      path: `/stripe-webhooks/${organizationId}`,
      body: { payload_base64: payload.toString('base64'), signature },
      answer: StripeWebhookAnswerSchema,
    });
  } catch (error) {
    if (error instanceof ServiceRefusedError) throw new ApiHttpError(error.error);
    if (error instanceof ServiceUnavailableError)
      throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'Invoicing is unavailable; Stripe will deliver the event again');
    throw error;
  }
}

/** One command, with a fresh id: its payment, refund or attempt id (derived from Stripe's), or the link being the same, is what makes it once. */
async function sendCommand(
  deps: Pick<RouteDeps, 'bus'>,
  organizationId: string,
  answer: StripeWebhookAnswer,
  command: StripeWebhookCommand,
  response: Response,
): Promise<void> {
  const requestId: string = response.locals.requestId;
  const commandId = randomUUID();
  const record: CommandRecord = {
    type: command.type,
    data: command.data,
    metadata: {
      command_id: `cmd_${commandId}`,
      correlation_id: requestId,
      request_id: requestId,
      organization_id: organizationId,
      mode: answer.mode,
      issued_at: new Date().toISOString(),
    },
  };
  let reply: Awaited<ReturnType<RouteDeps['bus']['send']>>;
  try {
    reply = await deps.bus.send(Topics.invoiceCommands, keyOf(command), record);
  } catch (error) {
    if (error instanceof CommandTimeoutError)
      throw ApiHttpError.of('TIMEOUT', 'The event was accepted but not applied in time; Stripe will deliver it again');
    throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'The event could not be queued; Stripe will deliver it again');
  }
  if (!reply.ok) throw new ApiHttpError(reply.error);
}

/** Invoice commands are keyed by their invoice, a payment link by its customer (as `PATCH /v1/customers` sends it). */
function keyOf(command: StripeWebhookCommand): string {
  return command.type === 'LinkCustomerPaymentProvider' ? command.data.customer_id : command.data.invoice_id;
}
