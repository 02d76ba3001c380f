import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/headlessChromium';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { finalizedTestInvoice } from './finalizedTestInvoice';

const screenshotPath = fileURLToPath(
  new URL('../../../../test-results/screenshots/hosted-invoice.png', import.meta.url),
);

describe('hosted invoice page in a real browser', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let browser: Browser;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('shows the number, lines and total, offers the PDF, and hides that link when printed', async () => {
    browser = await launchChromium();
    const { number, path } = await finalizedTestInvoice(acme.live);
    const page = await browser.newPage();
    const response = await page.goto(`${cluster.baseUrl}${path}`);
    expect(response?.status()).toBe(200);

    // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what this test checks
    expect(await page.locator('h1').innerText()).toBe(`Invoice ${number}`);
    const lines = await page.locator('tbody tr').all();
    expect(await Promise.all(lines.map((line) => line.locator('td').allInnerTexts()))).toEqual([
      ['API calls — Jan 2024', '1', '$30.00', '$30.00'],
      ['Support plan', '2', '$10.00', '$20.00'], // 2 × $10.00
    ]);
    const totals = await page.locator('tfoot tr').allInnerTexts();
    expect(totals.map((row) => row.replace(/\s+/g, ' '))).toContain('Total $50.00'); // $30.00 + $20.00

    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });

    const link = page.getByRole('link', { name: 'Download PDF' });
    expect(await link.isVisible()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`${number}.pdf`);

    await page.emulateMedia({ media: 'print' });
    expect(await link.isVisible()).toBe(false);
  });

  it('applies its own hashed styles and the seller accent under its Content-Security-Policy, blocking nothing else', async () => {
    browser ??= await launchChromium();
    const widgets = await cluster.createOrganization('Widgets');
    const profile = { name: 'Widgets Ltd', accent_color: '#aa3300', logo_url: 'https://cdn.widgets.example/l.png' };
    expect((await widgets.live.patch('/v1/organization_profile', profile)).status).toBe(200);
    const { path } = await finalizedTestInvoice(widgets.live);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    // The logo's host does not exist here: answered locally, as the seller's CDN would.
    await page.route('https://cdn.widgets.example/**', (route) => route.fulfill({ status: 404 }));
    expect((await page.goto(`${cluster.baseUrl}${path}`))?.status()).toBe(200);

    const style = (selector: string) =>
      page.locator(selector).evaluate((element) => {
        const { color, fontWeight } = element.ownerDocument.defaultView?.getComputedStyle(element) ?? {};
        return { color, fontWeight };
      });
    expect(await style('.brand .seller')).toEqual({ color: 'rgb(170, 51, 0)', fontWeight: '700' }); // #aa3300
    expect(await style('.amount-due')).toEqual({ color: 'rgb(170, 51, 0)', fontWeight: '700' });
    expect(violations).toEqual([]);
  });
});
