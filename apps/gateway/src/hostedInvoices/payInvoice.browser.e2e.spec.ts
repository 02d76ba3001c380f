import { type FakeStripe, startFakeStripe } from '@afternoon/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/headlessChromium';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { finalizedTestInvoice } from './finalizedTestInvoice';

// Stripe cannot be reached from these machines: invoicing's Stripe client is pointed at a local stand-in
// (STRIPE_API_BASE) whose Checkout Sessions lead to its own stand-in checkout page.
describe('the hosted page Pay button in a real browser', () => {
  let stripe: FakeStripe;
  let cluster: TestCluster;
  let acme: TestOrganization;
  let browser: Browser;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    cluster = await startTestCluster({ stripeApiBase: stripe.url });
    acme = await cluster.createOrganization('Acme Inc.');
    const configured = await acme.test.patch('/v1/payment_settings', {
      providers: {
        stripe: {
          secret_key: 'sk_test_51PaYmEnTsEcReTkEy0000424242',
          webhook_secret: 'whsec_WeBhOoKsEcReT000000000000',
          publishable_key: 'pk_test_51PaYmEnTpUbLiShAbLe00',
        },
      },
    });
    expect(configured.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await stripe?.close();
  });

  it('clicking Pay lands on the Checkout Session of the invoice, and going back and paying again on the same', async () => {
    browser = await launchChromium();
    const { id, path } = await finalizedTestInvoice(acme.test);
    const page = await browser.newPage();
    expect((await page.goto(`${cluster.baseUrl}${path}`))?.status()).toBe(200);

    await Promise.all([
      page.waitForURL(`${stripe.url}/c/pay/**`),
      page.getByRole('button', { name: 'Pay $50.00' }).click(),
    ]);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what this test checks
    expect(await page.locator('h1').innerText()).toBe('Fake Stripe Checkout');
    const session = [...stripe.sessions.values()].find((made) => made.client_reference_id === id);
    expect(page.url()).toBe(session?.url);

    await page.goBack();
    await Promise.all([
      page.waitForURL(`${stripe.url}/c/pay/**`),
      page.getByRole('button', { name: 'Pay $50.00' }).click(),
    ]);
    expect(page.url()).toBe(session?.url);
    expect([...stripe.sessions.values()].filter((made) => made.client_reference_id === id)).toHaveLength(1);
  });
});
