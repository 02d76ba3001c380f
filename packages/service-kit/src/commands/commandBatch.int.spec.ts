import { context, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { openVault, vault } from '../../test-fixtures/vaultCommands';
import { createLogger } from '../logger';
import { withTransaction } from '../postgres/database';
import { consumeEachInSpan, startProducerSpan } from '../tracing/spans';
import { createCommandHandlers } from './commandHandler';

describe('a batch of commands in one transaction', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const logger = createLogger('kit-test', 'warn');
  beforeAll(async () => {
    db = await kitDatabase();
  });
  afterAll(() => db.drop());

  const handlers = () =>
    createCommandHandlers({
      schema: db.schema,
      eventsTopic: 'vault.events',
      repliesTopic: 'vault.replies',
      aggregates: [vault],
      projections: [],
      context: { catchUp: async () => true },
    });
  const replies = async () =>
    (await db.pool.query("SELECT payload FROM outbox WHERE topic = 'vault.replies' ORDER BY position")).rows.map(
      (row) => row.payload,
    );

  it('answers each command: a refused one gets its error reply and the others still commit', async () => {
    const { handleBatch } = handlers();
    const batch = [
      openVault(0, 'cmd_a', 'v1'),
      openVault(1, 'cmd_b', 'v1'), // the same vault again, after cmd_a in the same transaction
      openVault(2, 'cmd_c', 'v2'),
    ];
    await withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger }));

    const events = await db.pool.query('SELECT stream_id FROM events ORDER BY stream_id');
    expect(events.rows).toEqual([{ stream_id: 'vault-v1' }, { stream_id: 'vault-v2' }]);
    expect(await replies()).toEqual([
      expect.objectContaining({ command_id: 'cmd_a', ok: true, result: { id: 'v1' } }),
      expect.objectContaining({ command_id: 'cmd_b', ok: false, error: expect.objectContaining({ code: 'CONFLICT' }) }),
      expect.objectContaining({ command_id: 'cmd_c', ok: true, result: { id: 'v2' } }),
    ]);
  });

  it('gives a redelivered batch its first replies and changes nothing', async () => {
    const { handleBatch } = handlers();
    await db.pool.query('DELETE FROM outbox');
    const batch = [openVault(0, 'cmd_a', 'v1'), openVault(1, 'cmd_b', 'v1'), openVault(2, 'cmd_c', 'v2')];
    await withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger }));

    const events = await db.pool.query('SELECT count(*)::int AS n FROM events');
    expect(events.rows[0].n).toBe(2);
    expect((await replies()).map((reply) => [reply.command_id, reply.ok])).toEqual([
      ['cmd_a', true],
      ['cmd_b', false],
      ['cmd_c', true],
    ]);
  });

  it('refuses the whole batch for a poison record, so the consumer isolates it record by record', async () => {
    const { handleBatch } = handlers();
    const poison = { ...openVault(3, 'cmd_d', 'v3'), value: '{not json' };
    const batch = [openVault(4, 'cmd_e', 'v4'), poison];
    await expect(withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger }))).rejects.toThrow();
    const events = await db.pool.query("SELECT count(*)::int AS n FROM events WHERE stream_id = 'vault-v4'");
    expect(events.rows[0].n).toBe(0);
  });

  it('runs each command of a batch in its own trace: its CONSUMER span holds its transaction and its reply', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('kit');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      const { handleBatch } = handlers();
      // Three commands sent from three requests, fetched in one batch.
      const batch = [0, 1, 2].map((n) => {
        const sent = startProducerSpan(tracer, 'vault.commands', {}, ROOT_CONTEXT);
        sent.end();
        return { ...openVault(10 + n, `cmd_traced_${n}`, `traced-${n}`), headers: sent.headers };
      });
      await consumeEachInSpan(tracer, batch, () =>
        withTransaction(db.pool, (tx) => handleBatch(tx, batch, { logger })),
      );

      const spans = exporter.getFinishedSpans();
      const childrenOf = (spanId: string, name: string) =>
        spans.filter((span) => span.parentSpanContext?.spanId === spanId && span.name === name);
      for (const record of batch) {
        const [, traceId, sentSpanId] = (record.headers.traceparent ?? '').split('-');
        const handled = childrenOf(sentSpanId ?? '', 'process vault.commands');
        expect(handled, `the CONSUMER span of ${record.offset}`).toHaveLength(1);
        expect(handled[0]).toMatchObject({
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.batch.message_count': 3 },
        });
        const transaction = childrenOf(handled[0]?.spanContext().spanId ?? '', 'postgres transaction');
        expect(transaction, `the transaction in the trace of ${record.offset}`).toHaveLength(1);
        const transactionSpanId = transaction[0]?.spanContext().spanId ?? '';
        expect(childrenOf(transactionSpanId, 'postgres savepoint')).toHaveLength(1);
        // The reply is queued in the command's own trace, so the relay sends it there, under its transaction.
        const reply = await db.pool.query(
          "SELECT headers->>'traceparent' AS traceparent FROM outbox WHERE payload->>'command_id' = $1",
          [JSON.parse(record.value ?? '').metadata.command_id],
        );
        expect(reply.rows).toEqual([{ traceparent: `00-${traceId}-${transactionSpanId}-01` }]);
      }
      expect(spans.filter((span) => span.name === 'postgres transaction')).toHaveLength(3);
    } finally {
      context.disable();
    }
  });
});
