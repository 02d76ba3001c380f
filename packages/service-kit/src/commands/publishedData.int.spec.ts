import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { createLogger } from '../logger';
import { withTransaction } from '../postgres/database';
import { type AggregateDefinition, createCommandRecordHandler } from './commandHandler';
import type { Command } from './decider';

const OpenVault = z.object({ type: z.literal('OpenVault'), data: z.object({ vault_id: z.string(), key: z.string() }) });
const VaultOpened = z.object({
  type: z.literal('VaultOpened'),
  data: z.object({ vault_id: z.string(), key: z.string().optional() }),
});
type OpenVault = Command<'OpenVault', z.infer<typeof OpenVault>['data']>;
type VaultOpened = z.infer<typeof VaultOpened>;

/** A vault whose key the event store keeps and its published events leave out. */
const vault: AggregateDefinition<OpenVault, VaultOpened, boolean> = {
  commandTypes: ['OpenVault'],
  commandSchema: OpenVault,
  eventSchema: VaultOpened,
  eventWireNames: { VaultOpened: 'test.v1.vault_opened' },
  streamId: (command) => `vault-${command.data.vault_id}`,
  decider: {
    initialState: () => false,
    evolve: () => true,
    decide: (command) => [{ type: 'VaultOpened', data: command.data }],
  },
  publishedData: ({ data }) => ({ vault_id: data.vault_id }),
  result: (_state, command) => ({ id: command.data.vault_id }),
};

describe('an aggregate with publishedData', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  beforeAll(async () => {
    db = await kitDatabase();
  });
  afterAll(() => db.drop());

  it('stores the whole event and queues the published data for the events topic', async () => {
    const handle = createCommandRecordHandler({
      schema: db.schema,
      eventsTopic: 'vault.events',
      repliesTopic: 'vault.replies',
      aggregates: [vault],
      projections: [],
      context: { catchUp: async () => true },
    });
    const metadata = {
      command_id: 'cmd_vault',
      correlation_id: 'req_vault',
      request_id: 'req_vault',
      organization_id: 'org_vault',
      mode: 'live',
      issued_at: '2026-12-05T10:00:00.000Z',
    };
    const value = JSON.stringify({ type: 'OpenVault', data: { vault_id: 'v1', key: 'hunter2' }, metadata });
    const record = {
      topic: 'vault.commands',
      partition: 0,
      offset: '0',
      timestamp: '0',
      key: 'v1',
      value,
      headers: {},
    };
    const context = { logger: createLogger('kit-test', 'warn'), setType: () => {}, skip: () => {} };
    await withTransaction(db.pool, (tx) => handle(tx, record, context));

    const stored = await db.pool.query('SELECT data FROM events WHERE stream_id = $1', ['vault-v1']);
    expect(stored.rows).toEqual([{ data: { vault_id: 'v1', key: 'hunter2' } }]);
    const queued = await db.pool.query("SELECT payload FROM outbox WHERE topic = 'vault.events'");
    expect(queued.rows.map((row) => row.payload)).toEqual([
      expect.objectContaining({ type: 'test.v1.vault_opened', data: { vault_id: 'v1' } }),
    ]);
  });
});
