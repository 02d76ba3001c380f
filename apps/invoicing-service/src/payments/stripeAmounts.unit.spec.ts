import { describe, expect, it } from 'vitest';
import { fromStripeAmount, stripeDecimalsOf, toStripeChargeAmount } from './stripeAmounts';

describe("ISO 4217 minor units and Stripe's amount", () => {
  it('passes two-decimal currencies through unchanged, HUF and TWD included (zero-decimal for payouts only)', () => {
    for (const currency of ['usd', 'eur', 'huf', 'twd', 'HUF']) {
      expect(toStripeChargeAmount(12_345, currency)).toBe(12_345);
      expect(fromStripeAmount(12_345, currency)).toBe(12_345);
    }
  });

  it('passes zero-decimal currencies (JPY, KRW, CLP, VND, XOF) through: ISO and Stripe both count whole units', () => {
    for (const currency of ['jpy', 'krw', 'clp', 'vnd', 'xof']) {
      expect(stripeDecimalsOf(currency)).toBe(0);
      expect(toStripeChargeAmount(1500, currency)).toBe(1500);
      expect(fromStripeAmount(1500, currency)).toBe(1500);
    }
  });

  it('multiplies ISK and UGX by 100: zero-decimal in ISO, two-decimal (whole units only) in Stripe', () => {
    // ISK 5 000 → 500 000 in Stripe; back: 500 000 / 100 = 5 000.
    expect(toStripeChargeAmount(5000, 'isk')).toBe(500_000);
    expect(fromStripeAmount(500_000, 'isk')).toBe(5000);
    expect(toStripeChargeAmount(37_000, 'ugx')).toBe(3_700_000);
    expect(fromStripeAmount(3_700_000, 'ugx')).toBe(37_000);
    // A fraction of a króna (an old charge) is no whole ISO minor unit: refused, not rounded.
    expect(fromStripeAmount(550, 'isk')).toBeUndefined();
  });

  it('divides MGA by 100 (ISO: 2 decimals, Stripe: zero-decimal), charging a fraction of an ariary up', () => {
    expect(toStripeChargeAmount(150_000, 'mga')).toBe(1500);
    // 1 500.01 ariary due: Stripe can only charge 1 501; the 0.99 more becomes the customer's credit.
    expect(toStripeChargeAmount(150_001, 'mga')).toBe(1501);
    expect(fromStripeAmount(1501, 'mga')).toBe(150_100);
  });

  it('charges three-decimal currencies in tens of their minor unit, rounding a last digit up', () => {
    // KWD 5.125 due → 5.130 charged (Stripe wants the last digit 0); 5.120 stays.
    expect(toStripeChargeAmount(5125, 'kwd')).toBe(5130);
    expect(toStripeChargeAmount(5120, 'kwd')).toBe(5120);
    expect(toStripeChargeAmount(1, 'bhd')).toBe(10);
    expect(fromStripeAmount(5125, 'kwd')).toBe(5125);
  });

  it('knows no amount in a code that is not an active ISO 4217 currency', () => {
    expect(fromStripeAmount(100, 'xyz')).toBeUndefined();
  });
});
