import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { commandRecord, openVault, vault } from '../../test-fixtures/vaultCommands';
import type { RecordOutcome } from '../consumer/records';
import { ConflictError, NotFoundError } from '../errors';
import { createLogger } from '../logger';
import { isUniqueViolation, withTransaction } from '../postgres/database';
import type { Projection } from '../projections/projection';
import { type AggregateDefinition, createCommandHandlers } from './commandHandler';
import type { Command } from './decider';

/** The vaults read model; a vault id already taken is refused, as the customers projection refuses an external id. */
const vaultsProjection: Projection = {
  name: 'vaults',
  tables: ['vaults'],
  handles: ['VaultOpened'],
  async apply(tx, event) {
    const { vault_id: vaultId } = event.data as { vault_id: string };
    try {
      await tx.query('INSERT INTO vaults (vault_id) VALUES ($1)', [vaultId]);
    } catch (error) {
      if (isUniqueViolation(error, 'vaults_pkey')) throw new ConflictError(`vault id ${vaultId} is taken`);
      throw error;
    }
  },
};

const LockVault = z.object({ type: z.literal('LockVault'), data: z.object({ vault_id: z.string() }) });
type LockVault = Command<'LockVault', z.infer<typeof LockVault>['data']>;
const VaultLocked = z.object({ type: z.literal('VaultLocked'), data: z.object({ vault_id: z.string() }) });

/** Locking reads the vaults read model first (`enrich`), so it must see the vaults opened before it. */
const lock: AggregateDefinition<LockVault, z.infer<typeof VaultLocked>, null> = {
  commandTypes: ['LockVault'],
  commandSchema: LockVault,
  eventSchema: VaultLocked,
  eventWireNames: { VaultLocked: 'test.v1.vault_locked' },
  streamId: (command) => `lock-${command.data.vault_id}`,
  async enrich(tx, command) {
    const { rows } = await tx.query('SELECT 1 FROM vaults WHERE vault_id = $1', [command.data.vault_id]);
    if (rows.length === 0) throw new NotFoundError('vault', command.data.vault_id);
    return command;
  },
  decider: {
    initialState: () => null,
    evolve: (state) => state,
    decide: (command) => [{ type: 'VaultLocked', data: command.data }],
  },
  result: (_state, command) => ({ locked: command.data.vault_id }),
};

describe('commands of one aggregate decided together', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const logger = createLogger('kit-test', 'warn');
  beforeAll(async () => {
    db = await kitDatabase();
    await db.pool.query('CREATE TABLE vaults (vault_id text PRIMARY KEY)');
  });
  afterAll(() => db.drop());

  const handlers = (projections: Projection[]) =>
    createCommandHandlers({
      schema: db.schema,
      eventsTopic: 'vault.events',
      repliesTopic: 'vault.replies',
      aggregates: [vault, lock],
      projections,
      context: { catchUp: async () => true },
    });
  const repliesTo = async (commandIds: string[]) =>
    (
      await db.pool.query(
        "SELECT payload FROM outbox WHERE topic = 'vault.replies' AND payload->>'command_id' = ANY($1) ORDER BY position",
        [commandIds],
      )
    ).rows.map(({ payload }) => (payload.ok ? [payload.command_id, 'ok'] : [payload.command_id, payload.error.code]));
  const streamsLike = async (pattern: string) =>
    (
      await db.pool.query('SELECT stream_id, version FROM events WHERE stream_id LIKE $1 ORDER BY stream_id', [pattern])
    ).rows.map(({ stream_id, version }) => `${stream_id}@${version}`);

  it('records twenty commands in as many statements as one', async () => {
    const { handleBatch } = handlers([]);
    const statementsFor = async (count: number, tag: string) => {
      const batch = Array.from({ length: count }, (_, n) => openVault(n, `cmd_${tag}_${n}`, `${tag}-${n}`));
      return withTransaction(db.pool, async (tx) => {
        const query = vi.spyOn(tx, 'query');
        await handleBatch(tx, batch, { logger });
        const statements = query.mock.calls.length;
        query.mockRestore();
        return statements;
      });
    };

    const alone = await statementsFor(1, 'alone');
    expect(await statementsFor(20, 'twenty')).toBe(alone);
    expect(await streamsLike('vault-twenty-%')).toHaveLength(20);
  });

  it('answers a command twice in one batch as it answered the first, deciding it once', async () => {
    const { handleBatch } = handlers([]);
    const batch = [openVault(0, 'cmd_twice', 'twice'), openVault(1, 'cmd_twice', 'twice')];
    await withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger }));

    expect(await repliesTo(['cmd_twice'])).toEqual([
      ['cmd_twice', 'ok'],
      ['cmd_twice', 'ok'],
    ]);
    expect(await streamsLike('vault-twice')).toEqual(['vault-twice@1']);
  });

  it('answers each command alone when a projection refuses one: the others are recorded once', async () => {
    await db.pool.query("INSERT INTO vaults (vault_id) VALUES ('taken')");
    const { handleBatch } = handlers([vaultsProjection]);
    const batch = [
      openVault(0, 'cmd_free_a', 'free-a'),
      openVault(1, 'cmd_taken', 'taken'),
      openVault(2, 'cmd_free_b', 'free-b'),
    ];
    const outcomes: RecordOutcome[] = [];
    await withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger, outcomes }));

    expect(await repliesTo(['cmd_free_a', 'cmd_taken', 'cmd_free_b'])).toEqual([
      ['cmd_free_a', 'ok'],
      ['cmd_taken', 'CONFLICT'],
      ['cmd_free_b', 'ok'],
    ]);
    expect(await streamsLike('vault-free-%')).toEqual(['vault-free-a@1', 'vault-free-b@1']);
    expect(await streamsLike('vault-taken')).toEqual([]);
    expect(outcomes).toHaveLength(3);
  });

  it('runs a command that reads the read models after the commands before it in the batch are recorded', async () => {
    const { handleBatch } = handlers([vaultsProjection]);
    const batch = [
      openVault(0, 'cmd_open_late', 'late'),
      commandRecord(1, 'cmd_lock_late', { type: 'LockVault', data: { vault_id: 'late' } }),
      commandRecord(2, 'cmd_lock_none', { type: 'LockVault', data: { vault_id: 'never-opened' } }),
      openVault(3, 'cmd_open_after', 'after'),
    ];
    await withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger }));

    expect(await repliesTo(['cmd_open_late', 'cmd_lock_late', 'cmd_lock_none', 'cmd_open_after'])).toEqual([
      ['cmd_open_late', 'ok'],
      ['cmd_lock_late', 'ok'],
      ['cmd_lock_none', 'NOT_FOUND'],
      ['cmd_open_after', 'ok'],
    ]);
    expect(await streamsLike('lock-%')).toEqual(['lock-late@1']);
  });
});
