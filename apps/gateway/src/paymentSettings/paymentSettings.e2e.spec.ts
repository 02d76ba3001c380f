import { Topics } from '@afternoon/contracts/topics';
import { openSecret } from '@afternoon/service-kit';
import { type CollectedMessage, collectTopic, eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refused } from '../../test/refused';
import {
  startTestCluster,
  type TestCluster,
  type TestOrganization,
  testPaymentSecretsKey,
} from '../../test/testCluster';
import { paymentSecretContext } from './sealedPaymentSettings';

const stripe = {
  secret_key: 'sk_test_51PaYmEnTsEcReTkEy0000424242',
  webhook_secret: 'whsec_WeBhOoKsEcReT000000000000',
  publishable_key: 'pk_test_51PaYmEnTpUbLiShAbLe00',
};
const bank = {
  instructions: 'Pay by bank transfer within 14 days, quoting the reference.',
  account_holder: 'Acme Inc.',
  iban: 'DE89370400440532013000',
  bic: 'COBADEFFXXX',
  reference_prefix: 'ACME-',
};
const defaults = {
  providers: { stripe: null, bank_transfer: null },
  retry_schedule: { days_after_failure: [1, 3, 7] },
  after_final_failure: 'leave_open',
  updated_at: null,
};

describe('payment settings through the gateway: providers, retries, and secrets that never come back', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let client: GatewayClient;
  const collected: Record<string, { messages: CollectedMessage[]; stop(): Promise<void> }> = {};

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    client = acme.test;
    for (const spec of [Topics.invoiceEvents, Topics.invoiceCommands, Topics.gatewayReplies])
      collected[spec.name] = await collectTopic(`${cluster.topicPrefix}${spec.name}`);
  });
  afterAll(async () => {
    await Promise.all(Object.values(collected).map((topic) => topic.stop()));
    await cluster?.stop();
  });

  const settings = async (of: GatewayClient = client) => (await of.get('/v1/payment_settings')).body.payment_settings;
  const storedEvents = async () => {
    const { rows } = await cluster.gateway.pool.query<{ data: Record<string, unknown>; text: string }>(
      `SELECT data, data::text AS text FROM ${cluster.schemas.invoicing}.events
        WHERE type = 'PaymentsConfigured' AND organization_id = $1 ORDER BY version`,
      [acme.id],
    );
    return rows;
  };
  const textOf = (topic: { name: string }) =>
    (collected[topic.name]?.messages ?? []).map((message) => message.value ?? '').join('\n');

  it('shows the defaults until something is set: no provider, three retries over a week, the invoice left open', async () => {
    expect(await settings()).toEqual(defaults);
  });

  it("stores Stripe's keys sealed: answered redacted, the event store holding ciphertext, no topic the secrets", async () => {
    const set = await client.patch('/v1/payment_settings', { providers: { stripe } });
    expect(set.status).toBe(200);
    const shown = {
      providers: {
        stripe: { publishable_key: stripe.publishable_key, secret_key_last4: '4242', webhook_secret_set: true },
        bank_transfer: null,
      },
      retry_schedule: { days_after_failure: [1, 3, 7] },
      after_final_failure: 'leave_open',
      updated_at: expect.any(String),
    };
    expect(set.body).toEqual({ success: true, payment_settings: shown, request_id: expect.any(String) });
    const read = await client.get('/v1/payment_settings');
    expect(read.body.payment_settings).toEqual(set.body.payment_settings);
    for (const answer of [JSON.stringify(set.body), JSON.stringify(read.body)]) {
      expect(answer).not.toContain(stripe.secret_key);
      expect(answer).not.toContain(stripe.webhook_secret);
      expect(answer).not.toContain('v1:');
    }

    // invoicing's event store holds the secrets sealed, each opening only with the key and its tenant and field.
    const [event] = await storedEvents();
    expect(event?.text).not.toContain(stripe.secret_key);
    expect(event?.text).not.toContain(stripe.webhook_secret);
    const stored = event?.data.stripe as { secret_key: { sealed: string }; webhook_secret: string };
    const context = (field: string) => paymentSecretContext({ organizationId: acme.id, mode: 'test' }, field);
    expect(openSecret(testPaymentSecretsKey, stored.secret_key.sealed, context('stripe.secret_key'))).toBe(
      stripe.secret_key,
    );
    expect(openSecret(testPaymentSecretsKey, stored.webhook_secret, context('stripe.webhook_secret'))).toBe(
      stripe.webhook_secret,
    );

    // invoice.events announces the change without even the sealed values; no topic ever carried the plaintext.
    const published = await eventually(
      () => {
        const message = collected[Topics.invoiceEvents.name]?.messages.find((record) =>
          record.value?.includes('payments_configured'),
        );
        expect(message).toBeDefined();
        return JSON.parse(message?.value ?? '{}');
      },
      { label: 'payments_configured on invoice.events' },
    );
    expect(published.data.stripe).toEqual(shown.providers.stripe);
    for (const topic of [Topics.invoiceEvents, Topics.invoiceCommands, Topics.gatewayReplies]) {
      expect(textOf(topic), topic.name).not.toContain(stripe.secret_key);
      expect(textOf(topic), topic.name).not.toContain(stripe.webhook_secret);
    }
    expect(textOf(Topics.invoiceEvents)).not.toContain(stored.secret_key.sealed);
    expect(textOf(Topics.invoiceEvents)).not.toContain(stored.webhook_secret);
    expect(textOf(Topics.gatewayReplies)).not.toContain(stored.secret_key.sealed);
  });

  it("merges: what is left out keeps its value, Stripe's secrets are not sent again, null removes a provider", async () => {
    const changed = await client.patch('/v1/payment_settings', {
      providers: { bank_transfer: bank },
      retry_schedule: { days_after_failure: [2, 4, 8, 16] },
      after_final_failure: 'mark_uncollectible',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.payment_settings).toMatchObject({
      providers: { stripe: { secret_key_last4: '4242', webhook_secret_set: true }, bank_transfer: bank },
      retry_schedule: { days_after_failure: [2, 4, 8, 16] },
      after_final_failure: 'mark_uncollectible',
    });

    const rotated = await client.patch('/v1/payment_settings', {
      providers: { stripe: { secret_key: 'rk_test_51RestrictedKey00009999' } },
    });
    expect(rotated.body.payment_settings.providers.stripe).toEqual({
      publishable_key: stripe.publishable_key,
      secret_key_last4: '9999',
      webhook_secret_set: true,
    });

    const removed = await client.patch('/v1/payment_settings', { providers: { stripe: null } });
    expect(removed.body.payment_settings.providers).toEqual({ stripe: null, bank_transfer: bank });
    expect(await settings()).toEqual(removed.body.payment_settings);
  });

  it('refuses a key of the other mode, a bad shape or an incomplete Stripe with a 400 naming the field', async () => {
    const before = await settings();
    const cases: [GatewayClient, unknown, string][] = [
      [client, { providers: { stripe: { ...stripe, secret_key: 'sk_live_51PaYmEnTsEcReT0000' } } }, 'secret_key'],
      [client, { providers: { stripe: { ...stripe, publishable_key: 'pk_live_51PaYmEnTpUb00' } } }, 'publishable_key'],
      [acme.live, { providers: { stripe } }, 'secret_key'],
      [client, { providers: { stripe: { ...stripe, secret_key: 'pk_test_51PaYmEnTsEcReT000' } } }, 'secret_key'],
      [client, { providers: { stripe: { ...stripe, webhook_secret: 'whs_0000000000' } } }, 'webhook_secret'],
      // Stripe was removed: it needs all three keys again.
      [client, { providers: { stripe: { publishable_key: stripe.publishable_key } } }, 'secret_key'],
    ];
    for (const [who, body, field] of cases) {
      const response = await who.patch('/v1/payment_settings', body);
      refused(response, 400, 'VALIDATION_ERROR');
      expect(response.body.error.param, JSON.stringify(body)).toBe(`providers.stripe.${field}`);
      expect(JSON.stringify(response.body)).not.toContain(stripe.secret_key);
    }
    for (const [body, param] of [
      [{}, 'providers'],
      [{ retry_schedule: { days_after_failure: [3, 1] } }, 'retry_schedule.days_after_failure'],
      [{ after_final_failure: 'cancel' }, 'after_final_failure'],
      [{ providers: { bank_transfer: { iban: 'DE89370400440532013000' } } }, 'providers.bank_transfer.instructions'],
      [{ providers: { paypal: {} } }, 'providers.paypal'],
    ] as const) {
      const response = await client.patch('/v1/payment_settings', body);
      refused(response, 400, 'VALIDATION_ERROR');
      expect(response.body.error.param, JSON.stringify(body)).toBe(param);
    }
    expect(await settings()).toEqual(before);
  });

  it('keeps each organization and mode apart: the others see the defaults', async () => {
    const globex = await cluster.createOrganization('Globex');
    expect(await settings(acme.live)).toEqual(defaults);
    expect(await settings(globex.test)).toEqual(defaults);
    expect(await settings(globex.live)).toEqual(defaults);
    expect((await settings()).providers.bank_transfer).toEqual(bank);
  });

  it('without PAYMENT_SECRETS_KEY refuses to store a secret with 503, and everything else works', async () => {
    const { client: replica } = await cluster.startGatewayReplica({ PAYMENT_SECRETS_KEY: undefined });
    const withoutKey = replica.as(acme.keys.test);
    const response = await withoutKey.patch('/v1/payment_settings', { providers: { stripe } });
    refused(response, 503, 'SERVICE_UNAVAILABLE');
    expect(response.body.error).toMatchObject({ param: 'providers.stripe.secret_key' });
    expect(response.body.error.message).toContain('PAYMENT_SECRETS_KEY');
    expect((await settings(withoutKey)).providers.stripe).toBeNull();

    const bankOnly = await withoutKey.patch('/v1/payment_settings', {
      providers: { bank_transfer: { instructions: 'Wire within 30 days.' } },
    });
    expect(bankOnly.status).toBe(200);
    expect(bankOnly.body.payment_settings.providers.bank_transfer).toEqual({ instructions: 'Wire within 30 days.' });
  });
});
