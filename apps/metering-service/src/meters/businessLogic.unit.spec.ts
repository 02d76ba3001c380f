import type { MeterDefinition, MeterEvent } from '@afternoon/contracts/meters';
import { ConflictError, IllegalStateError, NotFoundError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { decide, type MeterCommand } from './businessLogic';
import { evolve, initialState, toMeter } from './meter';

const meterId = 'cm5x9z8nv0000h85r7l9p2k1m';
const createdAt = '2026-01-15T10:30:00.000Z';
const later = '2026-01-16T08:00:00.000Z';

const definition: MeterDefinition = {
  code: 'llm_tokens',
  name: 'LLM tokens',
  event_name: 'llm.completion',
  aggregation: 'sum',
  property: 'tokens',
  filters: { model: ['gpt-4'] },
  group_by: ['model'],
};

const { given } = deciderSpec({ decide, evolve, initialState });

const created: MeterEvent = { type: 'MeterCreated', data: { meter_id: meterId, definition, created_at: createdAt } };
const archived: MeterEvent = { type: 'MeterArchived', data: { meter_id: meterId, archived_at: later } };
const create: MeterCommand = {
  type: 'CreateMeter',
  data: { meter_id: meterId, definition },
  metadata: commandMetadata(createdAt),
};
const update = (changes: Extract<MeterCommand, { type: 'UpdateMeter' }>['data']['changes']): MeterCommand => ({
  type: 'UpdateMeter',
  data: { code: 'llm_tokens', changes },
  metadata: commandMetadata(later),
});
const archive: MeterCommand = { type: 'ArchiveMeter', data: { code: 'llm_tokens' }, metadata: commandMetadata(later) };

describe('meter decider', () => {
  it('creates a meter whose code is free, dated by the command', () => {
    given([]).when(create).thenEmits([created]);
  });

  it('refuses a code already taken, even by an archived meter', () => {
    given([created]).when(create).thenThrows(ConflictError);
    given([created, archived]).when(create).thenThrows(ConflictError);
  });

  it('records only the fields an update changes', () => {
    given([created])
      .when(update({ name: 'LLM tokens', group_by: ['model', 'region'] }))
      .thenEmits([
        {
          type: 'MeterUpdated',
          data: { meter_id: meterId, changes: { group_by: ['model', 'region'] }, updated_at: later },
        },
      ]);
    given([created])
      .when(update({ name: 'LLM tokens', filters: { model: ['gpt-4'] } }))
      .thenEmits([]);
  });

  it('archives an active meter once; an archived meter takes no more changes', () => {
    given([created]).when(archive).thenEmits([archived]);
    given([created, archived]).when(archive).thenThrows(IllegalStateError);
    given([created, archived])
      .when(update({ name: 'Renamed' }))
      .thenThrows(IllegalStateError);
  });

  it('cannot change or archive a meter that does not exist', () => {
    given([])
      .when(update({ name: 'Renamed' }))
      .thenThrows(NotFoundError);
    given([]).when(archive).thenThrows(NotFoundError);
  });

  it('shows the meter as it is after its events', () => {
    const changed: MeterEvent = {
      type: 'MeterUpdated',
      data: { meter_id: meterId, changes: { name: 'Tokens' }, updated_at: later },
    };
    const state = [created, changed, archived].reduce(evolve, initialState());
    if (state.status === 'absent') throw new Error('the meter should exist');
    expect(toMeter(state)).toEqual({
      id: meterId,
      ...definition,
      name: 'Tokens',
      status: 'archived',
      created_at: createdAt,
      updated_at: later,
      archived_at: later,
    });
  });
});
