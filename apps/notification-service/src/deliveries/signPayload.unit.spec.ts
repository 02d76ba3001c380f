import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signPayload } from './signPayload';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const body = '{"id":"evt_0123456789abcdefghijklmn","type":"invoice.finalized","data":{"amount":1250}}';
const eventId = 'evt_0123456789abcdefghijklmn';

/** The README's verification, by hand with node:crypto. */
function verifiedByHand(secret: string, payload: string, headers: Record<string, string>): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${payload}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return (headers['webhook-signature'] ?? '').split(' ').some((part) => part === `v1,${expected}`);
}

describe('signPayload', () => {
  it('signs so that the standardwebhooks verifier accepts the body with its headers', () => {
    const secret = newSecret();
    const headers = signPayload(eventId, body, new Date(), [secret]);
    expect(headers['webhook-id']).toBe(eventId);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(verifiedByHand(secret, body, { ...headers })).toBe(true);
  });

  it('dates the signature by the attempt, in unix seconds', () => {
    const headers = signPayload(eventId, body, new Date('2026-12-05T10:00:00.999Z'), [newSecret()]);
    expect(headers['webhook-timestamp']).toBe(String(Date.parse('2026-12-05T10:00:00Z') / 1000));
  });

  it('signs with every current secret during a rotation, each verifying alone', () => {
    const [current, previous] = [newSecret(), newSecret()];
    const headers = signPayload(eventId, body, new Date(), [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
  });

  it('is refused for a body changed by one byte or another secret', () => {
    const secret = newSecret();
    const headers = signPayload(eventId, body, new Date(), [secret]);
    expect(() => new Webhook(secret).verify(body.replace('1250', '1251'), { ...headers })).toThrow();
    expect(() => new Webhook(newSecret()).verify(body, { ...headers })).toThrow();
    expect(verifiedByHand(newSecret(), body, { ...headers })).toBe(false);
  });
});
