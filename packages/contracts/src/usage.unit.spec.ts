import { describe, expect, it } from 'vitest';
import { EventSummaryQuery, earliestEventTimestamp, eventTimestampProblem, IngestBody, UsageRecord } from './usage';

const quickstartEvent = {
  event_name: 'api.request',
  idempotency_key: 'evt_abc123xyz',
  customer_id: 'cm5x9z8nv0000h85r7l9p2k1m',
  timestamp: '2024-01-15T10:30:00Z',
  properties: { tokens: 150, model: 'gpt-4' },
};

const pathsOf = (input: unknown) =>
  IngestBody.safeParse(input).error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('usage contracts', () => {
  it('accepts the quickstart event, and one without timestamp or properties', () => {
    expect(IngestBody.parse({ events: [quickstartEvent] })).toEqual({ events: [quickstartEvent] });
    const { timestamp: _t, properties: _p, ...bare } = quickstartEvent;
    expect(IngestBody.safeParse({ events: [bare] }).success).toBe(true);
  });

  it('accepts +00:00 and refuses other offsets and non-ISO timestamps', () => {
    const withTimestamp = (timestamp: string) => ({ events: [{ ...quickstartEvent, timestamp }] });
    expect(IngestBody.safeParse(withTimestamp('2024-01-15T10:30:00+00:00')).success).toBe(true);
    expect(pathsOf(withTimestamp('2024-01-15T10:30:00+02:00'))).toEqual(['events.0.timestamp']);
    expect(pathsOf(withTimestamp('15/01/2024'))).toEqual(['events.0.timestamp']);
  });

  it('names the index and field of every bad event at once', () => {
    const body = {
      events: [
        quickstartEvent,
        { ...quickstartEvent, event_name: '' },
        { ...quickstartEvent, properties: { nested: { no: 1 } } },
        { ...quickstartEvent, idempotency_key: 'k'.repeat(256), extra: 1 },
      ],
    };
    expect(pathsOf(body).sort()).toEqual(
      ['events.1.event_name', 'events.2.properties.nested', 'events.3', 'events.3.idempotency_key'].sort(),
    );
  });

  it('takes 1 to 1,000 events', () => {
    expect(pathsOf({ events: [] })).toEqual(['events']);
    expect(pathsOf({ events: Array.from({ length: 1001 }, () => quickstartEvent) })).toEqual(['events']);
    expect(IngestBody.safeParse({ events: Array.from({ length: 1000 }, () => quickstartEvent) }).success).toBe(true);
  });

  it('reads a usage record with its tenant, defaulting properties to none', () => {
    const { properties: _p, ...event } = quickstartEvent;
    const record = { ...event, organization_id: 'org_1', mode: 'live', received_at: '2024-01-15T10:30:01Z' };
    expect(UsageRecord.parse(record)).toEqual({ ...record, properties: {} });
    expect(UsageRecord.safeParse({ ...record, mode: 'prod' }).success).toBe(false);
  });

  it('refuses a usage record holding text Postgres cannot store, naming each field', () => {
    const record = {
      organization_id: 'org_1',
      mode: 'live',
      event_name: 'api.request',
      idempotency_key: 'evt_\u0000',
      customer_id: quickstartEvent.customer_id,
      timestamp: '2024-01-15T10:30:00Z',
      properties: { model: '\udc00', 'k\u0000': 1 },
      received_at: '2024-01-15T10:30:01Z',
    };
    expect(UsageRecord.safeParse(record).error?.issues.map(({ path }) => path)).toEqual(
      expect.arrayContaining([['idempotency_key'], ['properties', 'model'], ['properties', 'k\u0000']]),
    );
  });

  describe('a usage record is held to the timestamp limits against its received_at', () => {
    const record = {
      organization_id: 'org_1',
      mode: 'live',
      event_name: 'api.request',
      idempotency_key: 'evt_1',
      customer_id: quickstartEvent.customer_id,
      received_at: '2026-01-15T10:30:00Z',
    };
    const timestampIssues = (timestamp: string) =>
      UsageRecord.safeParse({ ...record, timestamp }).error?.issues.map(({ path, message }) => ({ path, message }));

    it('accepts up to 5 minutes after received_at and back to the floor', () => {
      expect(timestampIssues('2026-01-15T10:35:00Z')).toBeUndefined();
      expect(timestampIssues(earliestEventTimestamp)).toBeUndefined();
    });

    it('refuses a timestamp more than 5 minutes after received_at, or before the floor, naming the field', () => {
      expect(timestampIssues('2026-01-15T10:35:00.001Z')).toEqual([
        { path: ['timestamp'], message: 'is more than 5 minutes in the future' },
      ]);
      expect(timestampIssues('1999-12-31T23:59:59Z')).toEqual([
        { path: ['timestamp'], message: 'is before 2000-01-01T00:00:00Z' },
      ]);
    });

    it('is the same rule the gateway applies to a request', () => {
      expect(eventTimestampProblem('2026-01-15T10:35:01Z', record.received_at)).toBe(
        'is more than 5 minutes in the future',
      );
      expect(eventTimestampProblem('2026-01-15T10:35:00Z', record.received_at)).toBeUndefined();
    });
  });

  describe("a test-clock customer's record is held to its clock_time instead", () => {
    const record = {
      organization_id: 'org_1',
      mode: 'test',
      event_name: 'api.request',
      idempotency_key: 'evt_1',
      customer_id: quickstartEvent.customer_id,
      received_at: '2026-01-15T10:30:00Z',
      clock_time: '2027-06-01T00:00:00Z',
    };
    const issues = (fields: object) =>
      UsageRecord.safeParse({ ...record, ...fields }).error?.issues.map(({ path, message }) => ({ path, message }));

    it('accepts a timestamp up to 5 minutes past the clock, however far past the real received_at', () => {
      expect(issues({ timestamp: '2027-06-01T00:05:00Z' })).toBeUndefined();
      expect(issues({ timestamp: '2027-06-01T00:05:00.001Z' })).toEqual([
        { path: ['timestamp'], message: 'is more than 5 minutes in the future' },
      ]);
    });

    it('refuses a clock_time in live mode', () => {
      expect(issues({ mode: 'live', timestamp: '2026-01-15T10:30:00Z' })).toEqual([
        { path: ['clock_time'], message: 'is for test mode only' },
      ]);
    });
  });

  it('takes an ingest summary window of UTC instants, forward, up to 366 days', () => {
    const problems = (from: string, to: string) =>
      EventSummaryQuery.safeParse({ from, to }).error?.issues.map((issue) => `${issue.path}: ${issue.message}`) ?? [];
    expect(problems('2026-01-01T00:00:00Z', '2027-01-02T00:00:00Z')).toEqual([]);
    expect(problems('2026-01-01T00:00:00Z', '2027-01-02T00:00:00.001Z')).toEqual([
      'to: must be at most 366 days after from',
    ]);
    expect(problems('2026-01-01T00:00:00Z', '2026-01-01T00:00:00+00:00')).toEqual(['to: must be after from']);
    expect(problems('2026-01-01T00:00:00+01:00', '2026-01-02T00:00:00Z')).toHaveLength(1);
  });
});
