import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectAgreement, expectAgreementOverMutations, pick, setOwn } from './fastCheckAgreement.testing';
import { IngestBody } from './usage';
import { cleanIngestBody } from './usageIngestCheck';

const event = {
  event_name: 'api.request',
  idempotency_key: 'evt_abc123xyz',
  customer_id: 'cm5x9z8nv0000h85r7l9p2k1m',
  timestamp: '2024-01-15T10:30:00Z',
  properties: { tokens: 150, model: 'gpt-4', cached: false },
};

/** Values that sit on either side of some rule of `IngestEvent`. */
const edgeValues: unknown[] = [
  '',
  ' ',
  '\t\n',
  'a',
  'x'.repeat(255),
  'x'.repeat(256),
  'y'.repeat(1000),
  'y'.repeat(1001),
  'cm5x9z8nv0000h85r7l9p2k1m',
  'Cm5x9z8nv0000h85r7l9p2k1m',
  'cm5x9z8nv0000h85r7l9p2k1',
  '2024-01-15T10:30:00+00:00',
  '2024-01-15T10:30:00.123456Z',
  '2024-01-15T10:30:00+02:00',
  '2024-01-15T10:30Z',
  '2024-02-30T10:30:00Z',
  '2024-01-15 10:30:00Z',
  '15/01/2024',
  0,
  -0,
  1.5,
  -1e300,
  Number.MAX_SAFE_INTEGER + 2,
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
  { '': 1 },
  { ['k'.repeat(256)]: 1 },
  JSON.parse('{"__proto__": 1}'),
  JSON.parse('{"__proto__": {"a": 1}}'),
  Object.create(null),
  new Date(0),
];
const fields = ['event_name', 'idempotency_key', 'customer_id', 'timestamp', 'properties', 'extra', '__proto__'];

/** A copy of `event` with a few changes: a field deleted or set to an edge value, a property added. */
function mutatedEvent(next: () => number): Record<string, unknown> {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(event));
  const changes = Math.floor(next() * 3);
  for (let change = 0; change < changes; change++) {
    const field = fields[Math.floor(next() * fields.length)] as string;
    const roll = next();
    if (roll < 0.2) delete copy[field];
    else if (roll < 0.4 && field === 'properties')
      copy.properties = { ...(copy.properties as object), [`p${change}`]: pick(edgeValues, next) };
    else setOwn(copy, field, pick(edgeValues, next));
  }
  return copy;
}

const ingestCheck = {
  check: cleanIngestBody,
  schema: IngestBody,
  // zod writes an event's fields in the schema's order, which no reader sees; properties keep the order sent.
  expectAsItIs: (answer: unknown, input: unknown) => {
    expect(answer).toEqual(input);
    const propertiesOf = (body: unknown) =>
      JSON.stringify((body as IngestBody).events.map((one) => one.properties ?? null));
    expect(propertiesOf(answer)).toBe(propertiesOf(input));
  },
};

describe('cleanIngestBody', () => {
  it('vouches for the usual batch, as it is, and for each form IngestBody accepts', () => {
    const body = { events: Array.from({ length: 1000 }, (_, index) => ({ ...event, idempotency_key: `k-${index}` })) };
    expect(cleanIngestBody(body)).toBe(body);
    const { timestamp: _t, properties: _p, ...bare } = event;
    for (const one of [bare, { ...event, timestamp: '2024-01-15T10:30:00.5+00:00' }, { ...event, properties: {} }])
      expect(expectAgreement(ingestCheck, { events: [one] })).toBe(true);
  });

  it('leaves to zod every body it does not vouch for: the wrong shape, sizes, extra keys', () => {
    for (const body of [
      null,
      [],
      'events',
      {},
      { events: [] },
      { events: Array.from({ length: 1001 }, () => event) },
      { events: [event], extra: 1 },
      { events: 'x' },
      { events: [null] },
      JSON.parse(`{"events": [${JSON.stringify(event)}], "__proto__": 1}`),
    ])
      expect(cleanIngestBody(body)).toBeUndefined();
  });

  it('vouches for no event zod would refuse or reshape (randomised over the rules’ edges)', () => {
    expectAgreementOverMutations(ingestCheck, {
      seed: 17,
      rounds: 3_000,
      mutated: (next) => ({ events: Array.from({ length: 1 + Math.floor(next() * 3) }, () => mutatedEvent(next)) }),
      leftToZod: ({ events }) => !vouchable(events),
      moreThan: { vouched: 150 },
    });
  }, 120_000);
});

/**
 * Whether the fast check should have vouched for a batch zod accepted: any that JSON can carry as it is (no
 * `undefined`, no `Date`, no object without a prototype), except one with a `__proto__` property key, which it leaves
 * to zod on purpose.
 */
function vouchable(events: Record<string, unknown>[]): boolean {
  return (
    isDeepStrictEqual(JSON.parse(JSON.stringify(events)), events) &&
    events.every((one) => !Object.keys((one.properties as object | undefined) ?? {}).includes('__proto__'))
  );
}
