import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commandTypesOf } from './commandTypes';

describe('command types', () => {
  it('are the types of every command of the union, in its order', () => {
    const Refund = z.object({ type: z.literal('RefundInvoice'), data: z.object({ invoice_id: z.string() }) });
    const Void = z.object({ type: z.literal('VoidInvoice'), data: z.object({ invoice_id: z.string() }) });
    const types: ('RefundInvoice' | 'VoidInvoice')[] = commandTypesOf(z.discriminatedUnion('type', [Refund, Void]));
    expect(types).toEqual(['RefundInvoice', 'VoidInvoice']);
  });
});
