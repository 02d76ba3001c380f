import { describe, expect, it } from 'vitest';
import { redactHostedInvoiceToken } from './requestLog';

describe('redactHostedInvoiceToken', () => {
  const token = 'x7Kq_2fZ-9aBcDeFgHiJkLmN';

  it.each([
    [`/inv/${token}`, '/inv/[redacted]'],
    [`/inv/${token}.pdf`, '/inv/[redacted].pdf'],
    [`/inv/${token}?utm=mail`, '/inv/[redacted]?utm=mail'],
    [`/INV/${token}.PDF`, '/INV/[redacted].PDF'],
    [`/inv/${token}/`, '/inv/[redacted]/'],
    [`https://pay.example.com/inv/${token}`, 'https://pay.example.com/inv/[redacted]'],
    [`/v1/invoices/in_123/inv/${token}`, '/v1/invoices/in_123/inv/[redacted]'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactHostedInvoiceToken(url)).toBe(logged);
  });

  it('leaves every other URL alone', () => {
    for (const url of ['/v1/invoices/in_123', '/v1/invoices?limit=10', '/inv/', '/invoices/abc', '/healthz']) {
      expect(redactHostedInvoiceToken(url)).toBe(url);
    }
  });
});
