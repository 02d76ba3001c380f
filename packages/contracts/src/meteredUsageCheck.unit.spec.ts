import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectAgreement, expectAgreementOverMutations, pick, setOwn } from './fastCheckAgreement.testing';
import { MeteredUsageRecord, maxMeteredEventsPerRecord } from './meteredUsage';
import { cleanMeteredUsageRecord } from './meteredUsageCheck';

const event = {
  usage_id: 'cm5x9z8nv0000h85r7l9p2k1m',
  idempotency_key: 'evt_abc123xyz',
  event_name: 'api.request',
  timestamp: '2024-01-15T10:30:00.000Z',
  received_at: '2024-01-15T10:30:01.250Z',
  meters: [
    { meter_code: 'tokens', aggregation: 'sum', quantity: '150', group: { model: 'gpt-4', cached: false, tier: 2 } },
    { meter_code: 'requests', aggregation: 'count', quantity: '1', group: null },
    { meter_code: 'peak', aggregation: 'max', quantity: null, group: { model: null } },
  ],
};
const record = {
  organization_id: 'org_1',
  mode: 'live',
  customer_id: 'cm5x9z8nv0000h85r7l9p2k1n',
  events: [event],
};

/** Values that sit on either side of some rule of `MeteredUsageRecord`. */
const edgeValues: unknown[] = [
  '',
  ' ',
  'a',
  'live',
  'test',
  'Live',
  'sum',
  'count',
  'median',
  '1',
  '-1.5',
  '1.',
  '.5',
  '1e3',
  '+1',
  '0.000',
  'cm5x9z8nv0000h85r7l9p2k1m',
  'Cm5x9z8nv0000h85r7l9p2k1m',
  'cm5x9z8nv0000h85r7l9p2k1',
  '2024-01-15T10:30:00.000Z',
  '2024-01-15T10:30:00Z',
  '2024-01-15T10:30:00.123456Z',
  '2024-01-15T10:30:00.000+00:00',
  '2024-02-29T10:30:00.000Z',
  '2023-02-29T10:30:00.000Z',
  '1900-02-29T10:30:00.000Z',
  '2000-02-29T10:30:00.000Z',
  '2024-04-31T10:30:00.000Z',
  '2024-13-01T10:30:00.000Z',
  '2024-12-31T23:59:59.999Z',
  '2024-01-15T24:00:00.000Z',
  '2024-01-15T10:30:60.000Z',
  '0000-01-01T00:00:00.000Z',
  '+012024-01-15T10:30:00.000Z',
  0,
  -0,
  1.5,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  true,
  false,
  null,
  undefined,
  [],
  [event],
  Array.from({ length: maxMeteredEventsPerRecord + 1 }, () => event),
  {},
  { a: 1 },
  { a: null, b: 'x', c: 2, d: true },
  { nested: { no: 1 } },
  { '': 1 },
  JSON.parse('{"__proto__": 1}'),
  Object.create(null),
  new Date(0),
];
const recordFields = ['organization_id', 'mode', 'customer_id', 'events', 'extra', '__proto__'];
const eventFields = [
  'usage_id',
  'idempotency_key',
  'event_name',
  'timestamp',
  'received_at',
  'meters',
  'extra',
  '__proto__',
];
const meterFields = ['meter_code', 'aggregation', 'quantity', 'group', 'extra', '__proto__'];

/** Sets, deletes or replaces one of `fields` of `target` (a `__proto__` key as an own property, as JSON makes it). */
function mutate(target: Record<string, unknown>, fields: readonly string[], next: () => number): void {
  const field = fields[Math.floor(next() * fields.length)] as string;
  if (next() < 0.25) delete target[field];
  else setOwn(target, field, pick(edgeValues, next));
}

/** A copy of `record` with a few changes at any depth: the record, an event, a meter, a group. */
function mutated(next: () => number): Record<string, unknown> {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(record));
  copy.events = Array.from({ length: 1 + Math.floor(next() * 3) }, () => JSON.parse(JSON.stringify(event)));
  const changes = Math.floor(next() * 3);
  for (let change = 0; change < changes; change++) {
    const events = copy.events as Record<string, unknown>[];
    const one = Array.isArray(events) ? events[Math.floor(next() * events.length)] : undefined;
    const meters = isObject(one) && Array.isArray(one.meters) ? (one.meters as unknown[]) : [];
    const meter = meters[Math.floor(next() * meters.length)];
    const depth = next();
    if (depth < 0.2) mutate(copy, recordFields, next);
    else if (depth < 0.5 && isObject(one)) mutate(one, eventFields, next);
    else if (depth < 0.8 && isObject(meter)) mutate(meter, meterFields, next);
    else if (isObject(meter) && isObject(meter.group)) mutate(meter.group, ['model', 'tier', '__proto__'], next);
  }
  return copy;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const meteredCheck = { check: cleanMeteredUsageRecord, schema: MeteredUsageRecord };

describe('cleanMeteredUsageRecord', () => {
  it('vouches for the record metering writes, as it is, up to the most events a record holds', () => {
    expect(expectAgreement(meteredCheck, record)).toBe(true);
    const full = { ...record, events: Array.from({ length: maxMeteredEventsPerRecord }, () => event) };
    expect(expectAgreement(meteredCheck, full)).toBe(true);
    expect(expectAgreement(meteredCheck, { ...record, events: [{ ...event, meters: [] }] })).toBe(true);
  });

  it('leaves to zod every record it does not vouch for: the wrong shape, sizes, extra keys, other timestamp forms', () => {
    for (const input of [
      null,
      [],
      'record',
      {},
      { ...record, events: [] },
      { ...record, extra: 1 },
      { ...record, events: [{ ...event, extra: 1 }] },
      { ...record, events: [{ ...event, timestamp: '2024-01-15T10:30:00Z' }] },
      { ...record, events: [{ ...event, meters: [{ ...event.meters[0], group: JSON.parse('{"__proto__": 1}') }] }] },
      JSON.parse(
        `{"organization_id":"o","mode":"live","customer_id":"${record.customer_id}","events":[],"__proto__":1}`,
      ),
    ])
      expect(cleanMeteredUsageRecord(input)).toBeUndefined();
  });

  it('vouches for no record zod would refuse or reshape (randomised over the rules’ edges)', () => {
    expectAgreementOverMutations(meteredCheck, {
      seed: 23,
      rounds: 4_000,
      mutated,
      // zod reshaped it, or accepted it unchanged in a form metering does not write.
      leftToZod: (input, answer) => !isDeepStrictEqual(answer, input) || notMeteringsForm(input),
      moreThan: { vouched: 400, refused: 400 },
    });
  }, 120_000);
});

/** A record zod accepts as it is that the check may leave to zod: a timestamp not as `toISOString` writes it. */
function notMeteringsForm(input: Record<string, unknown>): boolean {
  const events = input.events as { timestamp: string; received_at: string }[];
  return events.some(
    (one) =>
      new Date(one.timestamp).toISOString() !== one.timestamp ||
      new Date(one.received_at).toISOString() !== one.received_at,
  );
}
