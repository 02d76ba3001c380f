import { InvoiceEmailEvent, invoiceEmailEventWireNames, RetryInvoiceEmail } from '@afternoon/contracts/invoiceEmails';
import { type AggregateDefinition, type Decider, NotFoundError, type WithMetadata } from '@afternoon/service-kit';
import {
  type EmailDeliveryState,
  emailDeliveryStream,
  evolveEmailDelivery,
  initialEmailDeliveryState,
  toInvoiceEmail,
} from './emailDelivery';

export type RetryInvoiceEmailCommand = WithMetadata<RetryInvoiceEmail>;

/** A retry by request: one more attempt, due when it was asked for, whatever the email's status. */
export const emailRetryDecider: Decider<RetryInvoiceEmailCommand, InvoiceEmailEvent, EmailDeliveryState> = {
  initialState: initialEmailDeliveryState,
  evolve: evolveEmailDelivery,
  decide(command, state) {
    const { email_id, invoice_id } = command.data;
    if (state.status === 'absent' || state.invoiceId !== invoice_id)
      throw new NotFoundError(`no email '${email_id}' of invoice '${invoice_id}'`, 'email_id');
    const at = command.metadata.issued_at;
    return [{ type: 'InvoiceEmailRetryRequested', data: { email_id, due_at: at, occurred_at: at } }];
  },
};

/** The email's stream as an aggregate of `RetryInvoiceEmail` (its other events are recorded by the sender). */
export const emailRetryAggregate: AggregateDefinition<RetryInvoiceEmailCommand, InvoiceEmailEvent, EmailDeliveryState> =
  {
    commandTypes: ['RetryInvoiceEmail'],
    commandSchema: RetryInvoiceEmail,
    eventSchema: InvoiceEmailEvent,
    eventWireNames: invoiceEmailEventWireNames,
    streamId: (command) => emailDeliveryStream(command.data.email_id),
    decider: emailRetryDecider,
    result: (state, command) => {
      if (state.status === 'absent') throw new Error(`${command.type} left no email`);
      return { email: toInvoiceEmail(state) };
    },
  };
