import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterUsageBatchRequest } from '@afternoon/contracts/meterUsageBatch';
import { failureKind, type InternalApi } from '@afternoon/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeteringRequestError, MeteringUnavailableError, meterUsages, type UsageQuestion } from './meteringUsage';

const tenant = { organizationId: 'org_1', mode: 'live' as const };
const customerId = 'cm5x9z8nv0000h85r7l9p2k1m';
const from = new Date('2027-01-01T00:00:00Z');
const to = new Date('2027-01-09T12:00:00Z');
const ofMeter = (meterCode: string): UsageQuestion => ({ customerId, meterCode, from, to });

describe('meterUsages against an HTTP server standing in for metering-service', () => {
  let server: Server;
  let metering: InternalApi;
  const seen: {
    method: string | undefined;
    url: string;
    organization: string | undefined;
    mode: string | undefined;
    authorization: string | undefined;
    body: MeterUsageBatchRequest;
  }[] = [];

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      let text = '';
      for await (const chunk of request) text += chunk;
      // Parsed with the contract, as metering-service does: a question it would refuse fails the test here.
      const body = MeterUsageBatchRequest.parse(JSON.parse(text));
      seen.push({
        method: request.method,
        url: request.url ?? '',
        organization: request.headers['x-afternoon-organization-id'] as string | undefined,
        mode: request.headers['x-afternoon-mode'] as string | undefined,
        authorization: request.headers.authorization,
        body,
      });
      const meters = body.items.map((item) => item.meter);
      if (meters.includes('missing')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: "No such meter: 'missing'" } }));
        return;
      }
      if (meters.includes('failing')) {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'briefly unavailable; retry' } }));
        return;
      }
      if (meters.includes('garbled')) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('not json');
        return;
      }
      const usage = meters.map((meter) =>
        meter === 'tokens'
          ? { total: '12.5', groups: [{ key: { model: 'gpt-4' }, value: '12.5' }] }
          : { total: meter === 'truncated' ? '1' : '3' },
      );
      if (meters.includes('truncated')) usage.pop();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ processed_through: '2027-01-10T00:00:00.000Z', usage }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    metering = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 'internal_token_of_this_test',
    };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks every question in one request with the tenant headers, and pairs each with its answer', async () => {
    const late = {
      ...ofMeter('calls'),
      received: { after: new Date('2027-01-02T00:00:00Z'), through: new Date('2027-01-10T00:00:00Z') },
    };
    const onTime = { ...ofMeter('tokens'), received: { after: null, through: new Date('2027-01-10T00:00:00Z') } };
    const asked = seen.length;
    const usages = await meterUsages(metering, tenant, [onTime, late, ofMeter('calls')]);
    expect(seen.length - asked).toBe(1);
    expect(usages).toEqual({
      answered: [
        { question: onTime, usage: { total: '12.5', groups: [{ key: { model: 'gpt-4' }, value: '12.5' }] } },
        { question: late, usage: { total: '3' } },
        { question: ofMeter('calls'), usage: { total: '3' } },
      ],
      processedThrough: new Date('2027-01-10T00:00:00.000Z'),
    });
    const request = seen.at(-1);
    expect(request).toMatchObject({
      method: 'POST',
      url: '/meter-usage/batch',
      organization: 'org_1',
      mode: 'live',
      authorization: 'Bearer internal_token_of_this_test',
    });
    const period = { from: '2027-01-01T00:00:00.000Z', to: '2027-01-09T12:00:00.000Z' };
    expect(request?.body.items).toEqual([
      { customer_id: customerId, meter: 'tokens', ...period, received_through: '2027-01-10T00:00:00.000Z' },
      {
        customer_id: customerId,
        meter: 'calls',
        ...period,
        received_after: '2027-01-02T00:00:00.000Z',
        received_through: '2027-01-10T00:00:00.000Z',
      },
      { customer_id: customerId, meter: 'calls', ...period },
    ]);
  });

  it('asks nothing when there is no question', async () => {
    const asked = seen.length;
    expect(await meterUsages(metering, tenant, [])).toEqual({ answered: [], processedThrough: null });
    expect(seen.length).toBe(asked);
  });

  it('fails with the status and body when metering does not answer 200, and on an unexpected shape', async () => {
    await expect(meterUsages(metering, tenant, [ofMeter('missing')])).rejects.toThrow(
      /metering-service answered 404 to POST \/meter-usage\/batch: .*No such meter/,
    );
    await expect(meterUsages(metering, tenant, [ofMeter('garbled')])).rejects.toBeInstanceOf(MeteringRequestError);
    await expect(meterUsages(metering, tenant, [ofMeter('calls'), ofMeter('truncated')])).rejects.toThrow(
      /answered 1 of 2 usage questions/,
    );
    await expect(meterUsages({ ...metering, url: 'http://127.0.0.1:1' }, tenant, [ofMeter('calls')])).rejects.toThrow(
      /metering-service did not answer POST \/meter-usage\/batch/,
    );
  });

  it('tells a metering-service that is down or failing (asked again later) from one that refuses the question', async () => {
    const refused = await meterUsages(metering, tenant, [ofMeter('missing')]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MeteringRequestError);
    expect(refused).not.toBeInstanceOf(MeteringUnavailableError);
    for (const unavailable of [
      await meterUsages({ ...metering, url: 'http://127.0.0.1:1' }, tenant, [ofMeter('calls')]).catch(
        (error: unknown) => error,
      ),
      await meterUsages(metering, tenant, [ofMeter('failing')]).catch((error: unknown) => error),
    ]) {
      expect(unavailable).toBeInstanceOf(MeteringUnavailableError);
      expect(failureKind(unavailable)).toBe('world');
    }
  });
});
