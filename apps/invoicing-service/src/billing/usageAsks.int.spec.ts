import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterUsageBatchRequest } from '@afternoon/contracts/meterUsageBatch';
import type { InternalApi } from '@afternoon/service-kit';
import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MeteringRequestError, type UsageQuestion } from './meteringUsage';
import { sharedUsageAsks } from './usageAsks';

const tenant = { organizationId: 'org_1', mode: 'live' as const };
const customers = ['cm5x9z8nv0000h85r7l9p2k1a', 'cm5x9z8nv0000h85r7l9p2k1b', 'cm5x9z8nv0000h85r7l9p2k1c'];
const unknownCustomer = 'cm5x9z8nv0000h85r7l9p2k1z';
const from = new Date('2027-01-01T00:00:00Z');
const to = new Date('2027-02-01T00:00:00Z');
/** A bill's questions: its customer's usage of two meters. */
const bill = (customerId: string): UsageQuestion[] => [
  { customerId, meterCode: 'requests', from, to },
  { customerId, meterCode: 'tokens', from, to },
];

describe('usage questions of the bills a pass works out at once, against an HTTP server standing in for metering', () => {
  let server: Server;
  let metering: InternalApi;
  let requests: MeterUsageBatchRequest[] = [];
  /** While set, metering answers only once it resolves. */
  let hold: Promise<void> | undefined;

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      let text = '';
      for await (const chunk of request) text += chunk;
      // Parsed with the contract, as metering-service does.
      const body = MeterUsageBatchRequest.parse(JSON.parse(text));
      requests.push(body);
      if (hold) await hold;
      // As metering does, one unknown customer refuses the whole batch.
      if (body.items.some((item) => item.customer_id === unknownCustomer)) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { code: 'NOT_FOUND', message: `No such customer: '${unknownCustomer}'` } }),
        );
        return;
      }
      // Each request its own horizon (the n-th request's is n seconds past January), each answer names its question.
      const horizon = new Date(Date.UTC(2027, 1, 1, 0, 0, requests.length));
      const usage = body.items.map((item) => ({
        total: `${customers.indexOf(item.customer_id)}.${item.meter.length}`,
      }));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ processed_through: horizon.toISOString(), usage }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    metering = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'internal' };
  });
  beforeEach(() => {
    requests = [];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks the bills of one turn in one request and gives each bill its own answers', async () => {
    const ask = sharedUsageAsks(metering, { maxItems: 200, requestsAtOnce: 2 });
    const answers = await Promise.all(customers.map((customer) => ask(tenant, bill(customer))));

    expect(requests.map((request) => request.items.length)).toEqual([6]);
    answers.forEach((answer, index) => {
      expect(answer.answered.map(({ question, usage }) => [question.customerId, usage.total])).toEqual([
        [customers[index], `${index}.8`],
        [customers[index], `${index}.6`],
      ]);
      expect(answer.processedThrough?.toISOString()).toBe('2027-02-01T00:00:01.000Z');
    });
  });

  it('cuts a turn into requests of at most the bound, a bill answered by two of them taking the earlier horizon', async () => {
    const ask = sharedUsageAsks(metering, { maxItems: 4, requestsAtOnce: 2 });
    const answers = await Promise.all(customers.map((customer) => ask(tenant, bill(customer))));

    expect(requests.map((request) => request.items.length)).toEqual([4, 2]);
    // The second bill's questions went in both requests: everything before the first's horizon counts in both.
    expect(answers.map((answer) => answer.processedThrough?.toISOString())).toEqual([
      '2027-02-01T00:00:01.000Z',
      '2027-02-01T00:00:01.000Z',
      '2027-02-01T00:00:02.000Z',
    ]);
    expect(answers[1]?.answered.map(({ usage }) => usage.total)).toEqual(['1.8', '1.6']);
  });

  it('holds what later turns ask while the requests it may have out are out, then asks it together', async () => {
    const ask = sharedUsageAsks(metering, { maxItems: 200, requestsAtOnce: 1 });
    let answer = () => {};
    hold = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const first = ask(tenant, bill(customers[0] as string));
    await eventually(() => expect(requests).toHaveLength(1), { timeout: 5_000, label: 'the first request out' });
    const second = ask(tenant, bill(customers[1] as string));
    await new Promise(setImmediate);
    const third = ask(tenant, bill(customers[2] as string));
    await new Promise(setImmediate);
    expect(requests).toHaveLength(1);
    hold = undefined;
    answer();
    const answers = await Promise.all([first, second, third]);

    expect(requests.map((request) => request.items.length)).toEqual([2, 4]);
    expect(answers.map(({ answered }) => answered.map(({ usage }) => usage.total))).toEqual([
      ['0.8', '0.6'],
      ['1.8', '1.6'],
      ['2.8', '2.6'],
    ]);
  });

  it('asks bill by bill when metering refuses the request, so only the bill at fault fails', async () => {
    const ask = sharedUsageAsks(metering, { maxItems: 200, requestsAtOnce: 2 });
    const [first, unknown, last] = await Promise.allSettled([
      ask(tenant, bill(customers[0] as string)),
      ask(tenant, bill(unknownCustomer)),
      ask(tenant, bill(customers[2] as string)),
    ]);

    expect(requests.map((request) => request.items.length)).toEqual([6, 2, 2, 2]);
    expect(first.status === 'fulfilled' && first.value.answered.map(({ usage }) => usage.total)).toEqual([
      '0.8',
      '0.6',
    ]);
    expect(last.status === 'fulfilled' && last.value.answered.map(({ usage }) => usage.total)).toEqual(['2.8', '2.6']);
    expect(unknown.status === 'rejected' && unknown.reason).toBeInstanceOf(MeteringRequestError);
  });
});
