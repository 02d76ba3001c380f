import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { finalizedTestInvoice } from './finalizedTestInvoice';

describe('hosted invoice PDF', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(() => cluster?.stop());

  async function download(path: string) {
    const response = await fetch(`${cluster.baseUrl}${path}`);
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  async function textOf(bytes: Uint8Array) {
    // unpdf may take ownership of the buffer it parses, so it gets a copy.
    const { text } = await extractText(await getDocumentProxy(bytes.slice()), { mergePages: true });
    return text;
  }

  it('downloads the same content as the page, linked from the page', async () => {
    const { number, path } = await finalizedTestInvoice(acme.live);
    const { response, bytes } = await download(`${path}.pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${number}.pdf"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe('%PDF-');

    const text = await textOf(bytes);
    for (const expected of [
      'Acme Inc.',
      'Globex Corp',
      '1 Industrial Way',
      'Springfield, IL, 62701',
      `Invoice ${number}`,
      'Status: Open',
      'API calls — Jan 2024',
      'Support plan',
      '$30.00', // 1 × $30.00
      '$20.00', // 2 × $10.00
      'Total $50.00', // $30.00 + $20.00
      'Amount paid $0.00',
      'Amount due $50.00',
    ]) {
      expect(text).toContain(expected);
    }

    const token = path.split('/').pop();
    const page = await (await fetch(`${cluster.baseUrl}${path}`)).text();
    expect(page).toContain(`<a href="${token}.pdf" download>Download PDF</a>`);
  });

  it('draws Chinese and Japanese names in the CJK fallback font, the rest in DejaVu', { timeout: 30_000 }, async () => {
    const beijing = await cluster.createOrganization('北京公司');
    const { number, path } = await finalizedTestInvoice(beijing.live, '株式会社テスト');
    const { response, bytes } = await download(`${path}.pdf`);
    expect(response.status).toBe(200);
    const text = await textOf(bytes);
    for (const expected of ['北京公司', '株式会社テスト', `Invoice ${number}`, 'Total $50.00'])
      expect(text).toContain(expected);
    // Both fonts are embedded (as subsets): the font dictionaries are not compressed.
    const raw = new TextDecoder('latin1').decode(bytes);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSansCondensed/);
  });

  it('stamps a voided invoice VOID', async () => {
    const { id, path } = await finalizedTestInvoice(acme.live);
    expect((await acme.live.post(`/v1/invoices/${id}/void`)).status).toBe(200);
    const { response, bytes } = await download(`${path}.pdf`);
    expect(response.status).toBe(200);
    expect(await textOf(bytes)).toContain('VOID');
  });

  it('serves the same PDF until the invoice changes, and the VOID-stamped one after a void', async () => {
    const { id, path } = await finalizedTestInvoice(acme.live);
    const before = await download(`${path}.pdf`);
    expect((await download(`${path}.pdf`)).bytes).toEqual(before.bytes);
    expect(await textOf(before.bytes)).not.toContain('VOID');
    expect((await acme.live.post(`/v1/invoices/${id}/void`)).status).toBe(200);
    const after = await download(`${path}.pdf`);
    expect(after.response.status).toBe(200);
    expect(await textOf(after.bytes)).toContain('VOID');
  });

  it('answers unknown and malformed tokens with the same 404 page as the HTML route', async () => {
    const unknownPage = await download(`/inv/${'A'.repeat(32)}`);
    const unknown = await download(`/inv/${'A'.repeat(32)}.pdf`);
    const malformed = await download('/inv/not%20a%20token!.pdf');
    for (const { response } of [unknown, malformed]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-robots-tag')).toBe('noindex');
    }
    expect(malformed.bytes).toEqual(unknown.bytes);
    expect(unknown.bytes).toEqual(unknownPage.bytes);
  });
});
