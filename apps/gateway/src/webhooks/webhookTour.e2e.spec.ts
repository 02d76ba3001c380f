import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from '../../test/webhookReceiver';

type Verify = (secret: string, rawBody: string, headers: ReceivedWebhook['headers']) => boolean;

/** The README's verification snippet, exactly as published (the code block after its marker), as a module. */
async function publishedVerifier(directory: string): Promise<Verify> {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const marker = readme.indexOf('<!-- webhook-verification-snippet -->');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (marker < 0 || !block?.[1]) throw new Error('README.md has no webhook verification snippet');
  const file = join(directory, 'verify.mjs');
  writeFileSync(file, block[1]);
  return (await import(pathToFileURL(file).href)).verifyAfternoonWebhook;
}

const typesOf = (received: ReceivedWebhook[]) => received.map(({ body }) => JSON.parse(body).type);

describe('webhooks from a fresh cluster, as the README tells them', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let receiver: WebhookReceiver;
  let endpoint: { id: string; secret: string };
  let verify: Verify;
  const directory = mkdtempSync(join(tmpdir(), 'afternoon-webhook-snippet-'));

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
    receiver = await startWebhookReceiver();
    verify = await publishedVerifier(directory);
    const created = await acme.test.post('/v1/webhook_endpoints', { url: receiver.url, enabled_events: ['*'] });
    expect(created.status).toBe(201);
    endpoint = created.body.webhook_endpoint;
  });
  afterAll(async () => {
    await receiver?.close();
    await cluster?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('tells invoice.finalized, signed so that the published snippet verifies it, with what a receiver needs', async () => {
    const customer = await acme.test.post('/v1/customers', { name: 'Umbrella', email: 'ap@umbrella.test' });
    const draft = await acme.test.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 }],
    });
    const invoiceId = draft.body.invoice.id;
    const finalized = await acme.test.post(`/v1/invoices/${invoiceId}/finalize`);
    expect(finalized.status).toBe(200);

    // Events of different services arrive in no set order between them: customer.created may come last.
    await eventually(
      () =>
        expect(typesOf(receiver.received).sort()).toEqual(['customer.created', 'invoice.created', 'invoice.finalized']),
      { timeout: 20_000, label: 'customer.created, invoice.created and invoice.finalized received' },
    );
    for (const webhook of receiver.received) expect(verify(endpoint.secret, webhook.body, webhook.headers)).toBe(true);
    const tampered = receiver.received.find(({ body }) => JSON.parse(body).type === 'invoice.finalized');
    if (!tampered) throw new Error('no invoice.finalized');
    expect(verify(endpoint.secret, tampered.body.replace('5000', '5'), tampered.headers)).toBe(false);

    const told = JSON.parse(tampered.body);
    expect(told).toMatchObject({ id: tampered.headers['webhook-id'], type: 'invoice.finalized', version: 1 });
    expect(told.mode).toBe('test');
    expect(told.data).toMatchObject({
      id: invoiceId,
      status: 'open',
      invoice_number: finalized.body.invoice.invoice_number,
      currency: 'usd',
      total_cents: 5000,
      amount_due_cents: 5000,
      customer_email: 'ap@umbrella.test',
      public_invoice_url: finalized.body.invoice.public_invoice_url,
    });
  });

  it('signs with the old and the new secret for a day after a rotation, each verifying on its own', async () => {
    const rotated = await acme.test.post(`/v1/webhook_endpoints/${endpoint.id}/rotate_secret`);
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.webhook_endpoint.secret;
    expect(newSecret).not.toBe(endpoint.secret);
    const before = receiver.received.length;
    await acme.test.post('/v1/customers', { name: 'Initech' });
    await eventually(() => expect(receiver.received.length).toBe(before + 1), { label: 'customer.created received' });
    const webhook = receiver.received[before] as ReceivedWebhook;
    expect(String(webhook.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(newSecret, webhook.body, webhook.headers)).toBe(true);
    expect(verify(endpoint.secret, webhook.body, webhook.headers)).toBe(true);
    expect(verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, webhook.body, webhook.headers)).toBe(false);
  });
});
