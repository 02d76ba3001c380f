import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allGroupsHeader } from '@afternoon/contracts/meters';
import { failureKind, type InternalApi } from '@afternoon/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeteringRequestError, MeteringUnavailableError, meterGroupBy, meterUsage } from './meteringUsage';

const tenant = { organizationId: 'org_1', mode: 'live' as const };
const customerId = 'cm5x9z8nv0000h85r7l9p2k1m';

describe('meterUsage against an HTTP server standing in for metering-service', () => {
  let server: Server;
  let metering: InternalApi;
  const seen: {
    url: string;
    organization: string | undefined;
    mode: string | undefined;
    authorization: string | undefined;
    allGroups: string | undefined;
  }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({
        url: request.url ?? '',
        organization: request.headers['x-afternoon-organization-id'] as string | undefined,
        mode: request.headers['x-afternoon-mode'] as string | undefined,
        authorization: request.headers.authorization,
        allGroups: request.headers[allGroupsHeader] as string | undefined,
      });
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/meters/missing') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: "No such meter: 'missing'" } }));
        return;
      }
      if (url.pathname === '/meters/failing') {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'briefly unavailable; retry' } }));
        return;
      }
      if (url.pathname === '/meters/garbled') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('not json');
        return;
      }
      const usage = {
        meter: 'tokens',
        customer_id: customerId,
        from: url.searchParams.get('from'),
        to: url.searchParams.get('to'),
        window: null,
        group_by: ['model'],
        total: '12.5',
        windows: [
          {
            start: url.searchParams.get('from'),
            end: url.searchParams.get('to'),
            value: '12.5',
            groups: [{ key: { model: 'gpt-4' }, value: '12.5' }],
          },
        ],
        excluded_events: { missing_property: 0, not_numeric: 0 },
        processed_through: '2027-01-10T00:00:00.000Z',
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ usage }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    metering = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 'internal_token_of_this_test',
    };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("asks the customer's usage with the tenant headers and the meter's grouping", async () => {
    const from = new Date('2027-01-01T00:00:00Z');
    const to = new Date('2027-01-09T12:00:00Z');
    const usage = await meterUsage(metering, tenant, customerId, 'tokens', from, to, ['model']);
    expect(usage).toEqual({
      total: '12.5',
      groups: [{ key: { model: 'gpt-4' }, value: '12.5' }],
      processed_through: '2027-01-10T00:00:00.000Z',
    });
    const asked = new URL(seen.at(-1)?.url ?? '', metering.url);
    expect(asked.pathname).toBe(`/customers/${customerId}/meter-usage`);
    expect(Object.fromEntries(asked.searchParams)).toEqual({
      meter: 'tokens',
      from: '2027-01-01T00:00:00.000Z',
      to: '2027-01-09T12:00:00.000Z',
      group_by: 'model',
    });
    expect(seen.at(-1)).toMatchObject({
      organization: 'org_1',
      mode: 'live',
      authorization: 'Bearer internal_token_of_this_test',
      allGroups: 'true',
    });
    expect(await meterUsage(metering, tenant, customerId, 'tokens', from, to)).toEqual({
      total: '12.5',
      processed_through: '2027-01-10T00:00:00.000Z',
    });
  });

  it('fails with the status and body when metering does not answer 200, and on an unexpected shape', async () => {
    await expect(meterGroupBy(metering, tenant, 'missing')).rejects.toThrow(
      /metering-service answered 404 to GET \/meters\/missing: .*No such meter/,
    );
    await expect(meterGroupBy(metering, tenant, 'garbled')).rejects.toBeInstanceOf(MeteringRequestError);
    await expect(meterGroupBy({ ...metering, url: 'http://127.0.0.1:1' }, tenant, 'tokens')).rejects.toThrow(
      /metering-service did not answer GET \/meters\/tokens/,
    );
  });

  it('tells a metering-service that is down or failing (asked again later) from one that refuses the question', async () => {
    const refused = await meterGroupBy(metering, tenant, 'missing').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MeteringRequestError);
    expect(refused).not.toBeInstanceOf(MeteringUnavailableError);
    for (const unavailable of [
      await meterGroupBy({ ...metering, url: 'http://127.0.0.1:1' }, tenant, 'tokens').catch((error: unknown) => error),
      await meterGroupBy(metering, tenant, 'failing').catch((error: unknown) => error),
    ]) {
      expect(unavailable).toBeInstanceOf(MeteringUnavailableError);
      expect(failureKind(unavailable)).toBe('world');
    }
  });
});
