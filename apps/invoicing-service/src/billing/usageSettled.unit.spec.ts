import { describe, expect, it } from 'vitest';
import { usageSettled } from './boundaryInvoice';

describe('usageSettled', () => {
  const cutoff = new Date('2027-02-01T01:00:00.000Z');

  it('waits while metering has not handled everything appended up to and including the cutoff', () => {
    expect(usageSettled(new Date('2027-02-01T00:59:59.999Z'), cutoff)).toBe(false);
    // Equal: a record appended in the cutoff's own millisecond may still be unhandled, yet the window takes it.
    expect(usageSettled(new Date('2027-02-01T01:00:00.000Z'), cutoff)).toBe(false);
  });

  it('bills once metering is past the cutoff, or when no meter was asked', () => {
    expect(usageSettled(new Date('2027-02-01T01:00:00.001Z'), cutoff)).toBe(true);
    expect(usageSettled(null, cutoff)).toBe(true);
  });
});
