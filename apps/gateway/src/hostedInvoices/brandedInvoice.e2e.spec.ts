import type { Logger } from '@afternoon/service-kit';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { finalizedTestInvoice } from './finalizedTestInvoice';

const profile = {
  name: 'Łódź Widgets sp. z o.o.',
  logo_url: 'https://cdn.widgets.example/brand/logo.png',
  accent_color: '#aa3300',
  address: { line1: 'ul. Piotrkowska 1', city: 'Łódź', postal_code: '90-001', country: 'PL' },
  tax_id: 'PL1234567890',
  support_email: 'help@widgets.example',
};
// Latin Extended, Greek and Cyrillic: none of it is in PDF's standard (Latin-1) fonts.
const customerName = 'Zoë Łukasiewicz — Ωμέγα Дмитрий';

describe('the hosted invoice page and PDF, branded and locked down', () => {
  let cluster: TestCluster;
  let widgets: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    widgets = await cluster.createOrganization('Widgets');
    expect((await widgets.live.patch('/v1/organization_profile', profile)).status).toBe(200);
  });
  afterAll(() => cluster?.stop());

  const get = async (path: string) => {
    const response = await fetch(`${cluster.baseUrl}${path}`);
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  const html = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  async function pdfText(bytes: Uint8Array) {
    const { text } = await extractText(await getDocumentProxy(bytes.slice()), { mergePages: true });
    return text;
  }

  it("shows the seller's name, logo, accent, address, tax id and support email, and the amount due", async () => {
    const { path } = await finalizedTestInvoice(widgets.live);
    const page = html((await get(path)).bytes);
    expect(page).toContain('<img src="https://cdn.widgets.example/brand/logo.png" alt="Łódź Widgets sp. z o.o. logo">');
    expect(page).toContain('<span class="seller">Łódź Widgets sp. z o.o.</span>');
    expect(page).toContain('<style>:root{--accent:#aa3300}</style>');
    for (const text of ['ul. Piotrkowska 1', '90-001 Łódź', 'Poland', 'Tax ID: PL1234567890', 'help@widgets.example']) {
      expect(page).toContain(`<p>${text}</p>`);
    }
    expect(page).toContain('<p class="amount-due">$50.00</p>'); // 1 × $30.00 + 2 × $10.00
    expect(page).not.toContain('class="stamp"');
  });

  it('stamps a paid invoice and shows its receipt: how much, and when', async () => {
    const { id, path } = await finalizedTestInvoice(widgets.live);
    const paid = await widgets.live.post(`/v1/invoices/${id}/pay`);
    expect(paid.status).toBe(200);
    const paidOn = new Date(paid.body.invoice.status_transitions.paid_at).toLocaleDateString('en-US', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      timeZone: 'UTC',
    });
    const page = html((await get(path)).bytes);
    expect(page).toContain('<span class="stamp">PAID</span>');
    expect(page).toContain(`<p class="receipt">Paid $50.00 on ${paidOn}</p>`);
    expect(page).not.toContain('class="amount-due"');
    const text = await pdfText((await get(`${path}.pdf`)).bytes);
    expect(text).toContain('PAID');
    expect(text).toContain(`Paid $50.00 on ${paidOn}`);
  });

  it('prints a non-Latin-1 customer and seller in the PDF with an embedded Unicode font', async () => {
    const { path } = await finalizedTestInvoice(widgets.live, customerName);
    const { response, bytes } = await get(`${path}.pdf`);
    expect(response.status).toBe(200);
    const text = await pdfText(bytes);
    for (const expected of [
      customerName,
      'Łódź Widgets sp. z o.o.',
      '90-001 Łódź',
      'Tax ID: PL1234567890',
      'Amount due',
      '$50.00',
    ]) {
      expect(text).toContain(expected);
    }
    // The font file itself travels in the PDF (a subset, named with pdfkit's random tag).
    expect(html(bytes)).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSansCondensed\b/);
    expect(html(bytes)).toContain('/FontFile2');
  });

  it('sends the security headers on the page, the PDF and the not-found page', async () => {
    const { path } = await finalizedTestInvoice(widgets.live);
    const page = await get(path);
    const pdf = await get(`${path}.pdf`);
    const missing = await get(`/inv/${'A'.repeat(32)}`);
    for (const { response } of [page, pdf, missing]) {
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toMatch(/^default-src 'none'; /);
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toMatch(/unsafe-inline|script-src/);
    }
    // The page: its own inline styles by hash, images from the logo's origin and nowhere else.
    const policy = page.response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*' 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(policy).toContain('img-src https://cdn.widgets.example;');
    expect(pdf.response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });

  it('keeps the token out of the access log', async () => {
    const { gateway } = await cluster.startGatewayReplica({ LOG_LEVEL: 'info' });
    const lines = captureLog(gateway.logger);
    const { path } = await finalizedTestInvoice(widgets.live);
    const token = path.split('/').pop() ?? '';
    for (const target of [path, `${path}.pdf`, path.toUpperCase().replace(token.toUpperCase(), token)]) {
      expect(
        (await fetch(`http://127.0.0.1:${gateway.port}${target}`, { headers: { referer: `x${path}` } })).status,
      ).toBe(200);
    }
    const requests = lines.filter((line) => line.includes('"req":'));
    expect(requests).toHaveLength(3);
    expect(requests.join('\n')).not.toContain(token);
    expect(requests.map((line) => JSON.parse(line).req.url)).toEqual([
      '/inv/[redacted]',
      '/inv/[redacted].pdf',
      '/INV/[redacted]',
    ]);
  });
});

// What the logger writes, line by line, from now on; pino keeps its destination under an unexported symbol.
function captureLog(logger: Logger): string[] {
  const lines: string[] = [];
  const key = Object.getOwnPropertySymbols(logger).find((symbol) => symbol.description === 'pino.stream');
  const stream = key && (logger as unknown as Record<symbol, { write(line: string): boolean }>)[key];
  if (!stream) throw new Error("no pino stream on the gateway's logger");
  stream.write = (line: string) => {
    lines.push(line);
    return true;
  };
  return lines;
}
