import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from './receivers.testing';
import { type SendSettings, sendWebhook, type WebhookRequest } from './sendWebhook';

const settings: SendSettings = { timeoutMs: 2_000, allowHttp: false, allowPrivateNetworks: true };
const body = '{"id":"evt_0123456789abcdefghijklmn","type":"customer.created","data":{"name":"Ünïcode"}}';
const headers = {
  'webhook-id': 'evt_0123456789abcdefghijklmn',
  'webhook-timestamp': '1796000000',
  'webhook-signature': 'v1,abc',
};
const request = (url: string, overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
  url,
  mode: 'test',
  body,
  headers,
  attemptedAt: new Date('2026-12-05T10:00:00.000Z'),
  ...overrides,
});
const stillRunning = new AbortController().signal;

describe('sendWebhook against real loopback receivers', () => {
  const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((started) => started.close()));
  });

  it('POSTs the exact body with the signature headers and logs a 2xx as success', async () => {
    const ok = await receiver((_request, respond) => respond(204));
    const sent = await sendWebhook(request(ok.url), settings, stillRunning);
    expect(sent).toMatchObject({ succeeded: true, attempt: { response_status: 204, error: null, response_body: '' } });
    expect(sent.attempt.attempted_at).toBe('2026-12-05T10:00:00.000Z');
    const [received] = ok.received;
    expect(received?.body).toBe(body);
    expect(received?.headers).toMatchObject({
      ...headers,
      'content-type': 'application/json',
      'user-agent': 'Afternoon-Webhooks/1',
    });
  });

  it('keeps the first 1 KB of the answer and fails on a 500', async () => {
    const failing = await receiver((_request, respond) => respond(500, 'x'.repeat(5_000)));
    const sent = await sendWebhook(request(failing.url), settings, stillRunning);
    expect(sent.succeeded).toBe(false);
    expect(sent.attempt.response_status).toBe(500);
    expect(sent.attempt.response_body).toBe('x'.repeat(1024));
  });

  it('does not follow a redirect: it is a failed attempt and the target hears nothing', async () => {
    const target = await receiver((_request, respond) => respond(200));
    const redirecting = await receiver((_request, respond) => respond(307, target.url));
    const sent = await sendWebhook(request(redirecting.url), settings, stillRunning);
    expect(sent).toMatchObject({ succeeded: false, attempt: { response_status: 307, error: 'redirect_not_followed' } });
    expect(target.received).toHaveLength(0);
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    const hanging = await receiver(() => undefined);
    const sent = await sendWebhook(request(hanging.url), { ...settings, timeoutMs: 300 }, stillRunning);
    expect(sent).toMatchObject({ succeeded: false, attempt: { response_status: null, error: 'timeout' } });
    expect(sent.attempt.latency_ms).toBeGreaterThanOrEqual(290);
  });

  it('logs a refused connection', async () => {
    const closed = await receiver(() => undefined);
    await closed.close();
    const sent = await sendWebhook(request(closed.url), settings, stillRunning);
    expect(sent.attempt.error).toBe('connection_refused');
  });

  it('refuses loopback, by address or by name, unless private networks are allowed, sending nothing', async () => {
    const ok = await receiver((_request, respond) => respond(200));
    const strict = { ...settings, allowPrivateNetworks: false };
    for (const url of [ok.url, `http://localhost:${ok.port}/hooks`, `http://[::ffff:127.0.0.1]:${ok.port}/`]) {
      const sent = await sendWebhook(request(url), strict, stillRunning);
      expect(sent).toMatchObject({ succeeded: false, attempt: { error: 'private_address', response_status: null } });
    }
    expect(ok.received).toHaveLength(0);
  });

  it('refuses plain http in live mode unless http is allowed', async () => {
    const ok = await receiver((_request, respond) => respond(200));
    const refused = await sendWebhook(request(ok.url, { mode: 'live' }), settings, stillRunning);
    expect(refused.attempt.error).toBe('insecure_url');
    expect(ok.received).toHaveLength(0);
    const allowed = await sendWebhook(
      request(ok.url, { mode: 'live' }),
      { ...settings, allowHttp: true },
      stillRunning,
    );
    expect(allowed.succeeded).toBe(true);
  });

  it('rejects, without an outcome, when the service stops mid-request', async () => {
    const hanging = await receiver(() => undefined);
    const stopping = new AbortController();
    const sending = sendWebhook(request(hanging.url), settings, stopping.signal);
    await expect.poll(() => hanging.received.length).toBe(1);
    stopping.abort();
    await expect(sending).rejects.toThrow();
  });
});
