import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../eventStore/eventStore';
import type { Transaction } from '../postgres/database';
import { type Projection, projectEvents } from './projection';

const event = (type: string, version: number): StoredEvent => ({
  type,
  data: {},
  eventId: `e${version}`,
  streamId: 's',
  version,
  position: String(version),
  transactionId: '1',
  metadata: {
    organization_id: 'org',
    mode: 'test',
    occurred_at: '2026-01-01T00:00:00.000Z',
    correlation_id: 'c',
    causation_id: 'c',
  },
});

describe('projectEvents', () => {
  it('applies each event to every projection in order, and a projection with applyAll once, after them', async () => {
    const calls: string[] = [];
    const eachEvent = (name: string, handles: string[]): Projection => ({
      name,
      tables: [],
      handles,
      apply: async (_tx, stored) => void calls.push(`${name}:${stored.version}`),
    });
    const allAtOnce: Projection = {
      name: 'batch',
      tables: [],
      handles: ['Made', 'Finished'],
      apply: async () => void calls.push('batch:one'),
      applyAll: async (_tx, events) => void calls.push(`batch:${events.map((stored) => stored.version).join('+')}`),
    };
    const projections = [allAtOnce, eachEvent('a', ['Made', 'Changed']), eachEvent('b', ['Changed'])];
    const events = [event('Made', 1), event('Changed', 2), event('Finished', 3)];

    await projectEvents({} as Transaction, projections, events);

    expect(calls).toEqual(['a:1', 'a:2', 'b:2', 'batch:1+3']);
  });

  it('leaves a projection with applyAll alone when none of the events is its', async () => {
    const calls: string[] = [];
    const allAtOnce: Projection = {
      name: 'batch',
      tables: [],
      handles: ['Finished'],
      apply: async () => void calls.push('one'),
      applyAll: async () => void calls.push('all'),
    };
    await projectEvents({} as Transaction, [allAtOnce], [event('Made', 1)]);
    expect(calls).toEqual([]);
  });
});
