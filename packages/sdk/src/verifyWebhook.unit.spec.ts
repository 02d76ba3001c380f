import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// notification-service's own signing, so the verifier cannot drift from what is sent (a test-only import)
import { signPayload } from '../../../apps/notification-service/src/deliveries/signPayload';
import { verifyWebhook, WebhookVerificationError } from './verifyWebhook';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const eventId = 'evt_0123456789abcdefghijklmn';
const body = JSON.stringify({
  id: eventId,
  type: 'invoice.finalized',
  version: 1,
  timestamp: '2026-12-05T10:00:00.000Z',
  mode: 'test',
  data: { total_cents: 5000 },
});
const sentAt = new Date('2026-12-05T10:00:00Z');
const at =
  (date: Date, seconds = 0) =>
  () =>
    date.getTime() + seconds * 1000;

/** Headers signed by hand, as the Standard Webhooks spec writes it. */
function signedByHand(secret: string, id: string, timestamp: number, payload: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${payload}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

describe('verifyWebhook', () => {
  it("accepts what notification-service's own signPayload signs, returning the event", async () => {
    const secret = newSecret();
    const headers = signPayload(eventId, body, sentAt, [secret]);
    await expect(verifyWebhook(body, { ...headers }, secret, { now: at(sentAt, 30) })).resolves.toEqual(
      JSON.parse(body),
    );
    await expect(
      verifyWebhook(new TextEncoder().encode(body), new Headers({ ...headers }), secret, { now: at(sentAt) }),
    ).resolves.toMatchObject({ id: eventId, type: 'invoice.finalized' });
  });

  it('accepts a signature made by hand per the spec', async () => {
    const secret = newSecret();
    const headers = signedByHand(secret, eventId, sentAt.getTime() / 1000, body);
    await expect(verifyWebhook(body, headers, secret, { now: at(sentAt) })).resolves.toMatchObject({ id: eventId });
  });

  it('refuses a body changed by one byte, another id, or another secret', async () => {
    const secret = newSecret();
    const headers = { ...signPayload(eventId, body, sentAt, [secret]) };
    const options = { now: at(sentAt) };
    await expect(verifyWebhook(body.replace('5000', '5001'), headers, secret, options)).rejects.toThrow(
      WebhookVerificationError,
    );
    await expect(verifyWebhook(body, { ...headers, 'webhook-id': 'evt_other' }, secret, options)).rejects.toThrow(
      WebhookVerificationError,
    );
    await expect(verifyWebhook(body, headers, newSecret(), options)).rejects.toThrow('no signature matches');
  });

  it('refuses a timestamp outside the tolerance either way, and headers missing', async () => {
    const secret = newSecret();
    const headers = { ...signPayload(eventId, body, sentAt, [secret]) };
    await expect(verifyWebhook(body, headers, secret, { now: at(sentAt, 301) })).rejects.toThrow('more than 300 s');
    await expect(verifyWebhook(body, headers, secret, { now: at(sentAt, -301) })).rejects.toThrow('more than 300 s');
    await expect(
      verifyWebhook(body, headers, secret, { now: at(sentAt, 3600), toleranceSeconds: 3600 }),
    ).resolves.toBeDefined();
    await expect(
      verifyWebhook(body, { ...headers, 'webhook-signature': undefined }, secret, { now: at(sentAt) }),
    ).rejects.toThrow('missing');
  });

  it('during a rotation, accepts the two signatures with either secret, or with both held', async () => {
    const [current, previous] = [newSecret(), newSecret()];
    const headers = { ...signPayload(eventId, body, sentAt, [current, previous]) };
    const options = { now: at(sentAt) };
    await expect(verifyWebhook(body, headers, previous, options)).resolves.toBeDefined();
    await expect(verifyWebhook(body, headers, current, options)).resolves.toBeDefined();
    const signedByPrevious = { ...signPayload(eventId, body, sentAt, [previous]) };
    await expect(verifyWebhook(body, signedByPrevious, [current, previous], options)).resolves.toBeDefined();
    await expect(verifyWebhook(body, signedByPrevious, [current], options)).rejects.toThrow(WebhookVerificationError);
  });

  it('skips signatures of versions it does not know and ones that are not base64', async () => {
    const secret = newSecret();
    const headers = { ...signPayload(eventId, body, sentAt, [secret]) };
    const signature = headers['webhook-signature'].slice('v1,'.length);
    const mixed = { ...headers, 'webhook-signature': `v1a,${signature} v1,!!notbase64 v1,${signature}` };
    await expect(verifyWebhook(body, mixed, secret, { now: at(sentAt) })).resolves.toBeDefined();
    const onlyOther = { ...headers, 'webhook-signature': `v2,${signature}` };
    await expect(verifyWebhook(body, onlyOther, secret, { now: at(sentAt) })).rejects.toThrow(WebhookVerificationError);
  });
});
