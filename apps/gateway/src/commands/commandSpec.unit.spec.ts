import { Topics } from '@afternoon/contracts/topics';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from './commandRoute';

// The proof is the typecheck (`npm test` runs it): each `@ts-expect-error` fails the build if its line compiles.
const answer = { key: 'cinvoice000000000000000001', successStatus: 200, successBody: () => ({}) };
const invoiceId = answer.key;

describe('CommandSpec', () => {
  it('takes a command of the union its topic carries', () => {
    const pay: CommandSpec = {
      ...answer,
      topic: Topics.invoiceCommands,
      type: 'PayInvoice',
      data: { invoice_id: invoiceId },
    };
    expect(pay.type).toBe('PayInvoice');
  });

  it('refuses a command its topic does not carry, data of another type, and what only the service fills in', () => {
    const refused: CommandSpec[] = [
      // @ts-expect-error customer-service does not take invoice commands
      { ...answer, topic: Topics.customerCommands, type: 'PayInvoice', data: { invoice_id: invoiceId } },
      // @ts-expect-error PayInvoice's data names the invoice
      { ...answer, topic: Topics.invoiceCommands, type: 'PayInvoice', data: { code: 'pro' } },
      // @ts-expect-error no service takes this command
      { ...answer, topic: Topics.meterCommands, type: 'PayMeter', data: {} },
      {
        ...answer,
        topic: Topics.invoiceCommands,
        type: 'FinalizeInvoice',
        // @ts-expect-error the invoice number is invoicing's to give, not the sender's
        data: { invoice_id: invoiceId, public_invoice_url: 'https://pay.example/i/x', invoice_number: 'INV-0001' },
      },
    ];
    expect(refused).toHaveLength(4);
  });
});
