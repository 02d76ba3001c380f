import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectAgreement, expectAgreementOverMutations, pick, setOwn } from './fastCheckAgreement.testing';
import { UsageRecord } from './usage';
import { cleanUsageRecord } from './usageRecordCheck';

/** A record as the gateway writes it (and the bench's direct producer). */
const record = {
  organization_id: 'org_1',
  mode: 'live',
  event_name: 'api.request',
  idempotency_key: 'evt_abc123xyz',
  customer_id: 'cm5x9z8nv0000h85r7l9p2k1m',
  timestamp: '2024-01-15T10:30:00.000Z',
  properties: { tokens: 150, model: 'gpt-4', cached: false },
  received_at: '2024-01-15T10:30:01.250Z',
};
/** A test-mode customer on a test clock: the limits hold against `clock_time`. */
const clockRecord = { ...record, mode: 'test', clock_time: '2024-03-01T00:00:00.000Z' };

/** Timestamps on either side of some rule of `UtcTimestamp`, of `z.iso.datetime()` or of the timestamp limits. */
const timestamps = [
  '2024-01-15T10:30:00.000Z',
  '2024-01-15T10:30:00Z',
  '2024-01-15T10:30:00.5Z',
  '2024-01-15T10:30:00.123456Z',
  '2024-01-15T10:30:00.000+00:00',
  '2024-01-15T10:30:00.000+02:00',
  '2024-01-15T10:30Z',
  '2024-01-15 10:30:00.000Z',
  '2024-02-29T10:30:00.000Z',
  '2023-02-29T10:30:00.000Z',
  '2100-02-29T10:30:00.000Z',
  '2000-02-29T10:30:00.000Z',
  '2024-04-31T10:30:00.000Z',
  '2024-13-01T10:30:00.000Z',
  '2024-00-10T10:30:00.000Z',
  '2024-01-15T24:00:00.000Z',
  '2024-01-15T10:60:00.000Z',
  '2024-01-15T10:30:60.000Z',
  '+012024-01-15T10:30:00.000Z',
  // The timestamp limits: the floor, and 5 minutes past `received_at` (and past the clock record's clock).
  '2000-01-01T00:00:00.000Z',
  '1999-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00.000Z',
  '2024-01-15T10:35:01.250Z',
  '2024-01-15T10:35:01.251Z',
  '2024-03-01T00:05:00.000Z',
  '2024-03-01T00:05:00.001Z',
  '2024-01-15T09:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
];
/** Values that sit on either side of some rule of `UsageRecord`. */
const edgeValues: unknown[] = [
  ...timestamps,
  '',
  ' ',
  '\t\n',
  'a',
  'x'.repeat(255),
  'x'.repeat(256),
  'y'.repeat(1000),
  'y'.repeat(1001),
  'a\u0000b',
  'lone \ud800',
  'lone \udc00',
  'paired 😀',
  'live',
  'test',
  'Live',
  'cm5x9z8nv0000h85r7l9p2k1m',
  'Cm5x9z8nv0000h85r7l9p2k1m',
  'cm5x9z8nv0000h85r7l9p2k1',
  0,
  -0,
  1.5,
  -1e300,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  true,
  false,
  null,
  undefined,
  [],
  ['a'],
  {},
  { a: 1 },
  { nested: { no: 1 } },
  JSON.parse('{"__proto__": 1}'),
  Object.create(null),
  new Date(0),
];
const fields = [
  'organization_id',
  'mode',
  'event_name',
  'idempotency_key',
  'customer_id',
  'timestamp',
  'properties',
  'received_at',
  'clock_time',
  'extra',
  '__proto__',
];
const propertyKeys = ['tokens', 'model', '', 'k'.repeat(255), 'k'.repeat(256), 'a\u0000b', '\ud800', '😀', '__proto__'];

/** A copy of a good record with a few changes: a field deleted or set to an edge value, a property added or set. */
function mutated(next: () => number): Record<string, unknown> {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(next() < 0.5 ? record : clockRecord));
  const changes = Math.floor(next() * 3);
  for (let change = 0; change < changes; change++) {
    const roll = next();
    const properties = copy.properties;
    if (roll < 0.3 && typeof properties === 'object' && properties !== null)
      setOwn(properties, pick(propertyKeys, next), pick(edgeValues, next));
    else if (roll < 0.45) delete copy[pick(fields, next)];
    else {
      const field = pick(fields, next);
      const timed = field === 'timestamp' || field === 'received_at' || field === 'clock_time';
      setOwn(copy, field, timed && next() < 0.6 ? pick(timestamps, next) : pick(edgeValues, next));
    }
  }
  return copy;
}

const recordCheck = { check: cleanUsageRecord, schema: UsageRecord };

describe('cleanUsageRecord', () => {
  it('vouches for the records the gateway writes, as they are, live and on a test clock', () => {
    expect(cleanUsageRecord(record)).toBe(record);
    expect(expectAgreement(recordCheck, record)).toBe(true);
    expect(expectAgreement(recordCheck, clockRecord)).toBe(true);
    expect(expectAgreement(recordCheck, { ...record, properties: {} })).toBe(true);
    // On the limits: exactly 5 minutes ahead of the receiving clock, and the earliest timestamp accepted.
    expect(expectAgreement(recordCheck, { ...record, timestamp: '2024-01-15T10:35:01.250Z' })).toBe(true);
    expect(expectAgreement(recordCheck, { ...clockRecord, timestamp: '2024-03-01T00:05:00.000Z' })).toBe(true);
    expect(expectAgreement(recordCheck, { ...record, timestamp: '2000-01-01T00:00:00.000Z' })).toBe(true);
  });

  it('leaves to zod every record it does not vouch for: refused, reshaped, or in a form it does not read', () => {
    for (const input of [
      null,
      [],
      'record',
      {},
      { ...record, extra: 1 },
      { ...record, properties: undefined },
      { ...record, clock_time: record.received_at },
      { ...record, timestamp: '2024-01-15T10:35:01.251Z' },
      { ...clockRecord, timestamp: '2024-03-01T00:05:00.001Z' },
      { ...record, timestamp: '1999-12-31T23:59:59.999Z' },
      { ...record, timestamp: '2024-01-15T10:30:00Z' },
      { ...record, received_at: '2024-01-15T10:30:01.250+00:00' },
      { ...record, event_name: 'api\u0000request' },
      { ...record, properties: { model: 'lone \udc00' } },
      { ...record, properties: { model: 'paired 😀' } },
      { ...record, properties: { 'a\u0000b': 1 } },
      { ...record, properties: JSON.parse('{"__proto__": 1}') },
      JSON.parse(`{${JSON.stringify(record).slice(1, -1)}, "__proto__": 1}`),
    ])
      expect(cleanUsageRecord(input)).toBeUndefined();
    const { properties: _, ...bare } = record;
    expect(cleanUsageRecord(bare)).toBeUndefined();
    // zod accepts it, but not as it is: the default fills `properties` in.
    expect(UsageRecord.parse(bare)).toEqual({ ...bare, properties: {} });
  });

  it('vouches for no record zod would refuse or reshape (randomised over the rules’ edges)', () => {
    expectAgreementOverMutations(recordCheck, {
      seed: 31,
      rounds: 5_000,
      mutated,
      // zod reshaped it, or accepted it unchanged in a form the check leaves to zod on purpose.
      leftToZod: (input, answer) => !isDeepStrictEqual(answer, input) || leftToZodOnPurpose(input),
      moreThan: { vouched: 500, refused: 500 },
    });
  }, 120_000);
});

/**
 * A record zod accepts as it is that the check may leave to zod: a timestamp not as `toISOString` writes it, a
 * (paired) surrogate in some text, or a value JSON cannot carry (`clock_time: undefined`).
 */
function leftToZodOnPurpose(input: Record<string, unknown>): boolean {
  const notIsoString = (value: unknown) =>
    typeof value === 'string' && !(!Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value);
  return (
    [input.timestamp, input.received_at, input.clock_time].some(notIsoString) ||
    /[\ud800-\udfff]/.test(JSON.stringify(input)) ||
    !isDeepStrictEqual(JSON.parse(JSON.stringify(input)), input)
  );
}
