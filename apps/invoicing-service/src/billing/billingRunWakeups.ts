import { InvoiceCreated } from '@afternoon/contracts/invoices';
import { SubscriptionEvent } from '@afternoon/contracts/subscriptions';
import type { Logger, Projection, Queryable, StoredEvent, Transaction } from '@afternoon/service-kit';
import type pg from 'pg';

const channel = 'afternoon_billing_run';

/**
 * Wakes the billing run on the events that can make something due at once: a subscription's new start, end or plan
 * (a start in the past, a cancellation now), a test clock's advance, a subscription's invoice (its next boundary
 * is sent only once this one is billed), and a finalized invoice or a customer's new payment link (an off-session
 * charge may be due). It writes no table; the other projections know nothing of the run.
 */
export const billingRunWakeups: Projection = {
  name: 'billing_run_wakeups',
  tables: [],
  handles: [
    ...SubscriptionEvent.options.map((option) => option.shape.type.value),
    'TestClockAdvanced',
    'InvoiceCreated',
    'InvoiceFinalized',
    'CustomerPaymentProviderLinked',
  ],
  apply: (tx, stored) => wakeOnEvents(tx, [stored]),
  applyAll: wakeOnEvents,
};

/** One notification however many of the recording's events call for it (Postgres folds them anyway). */
async function wakeOnEvents(tx: Transaction, events: readonly StoredEvent[]): Promise<void> {
  const wakes = events.some((stored) => stored.type !== 'InvoiceCreated' || InvoiceCreated.parse(stored).data.billing);
  if (wakes) await wakeBillingRun(tx);
}

/**
 * Asks the billing run to look now rather than at its next interval: a test clock advanced, or a subscription
 * changed. A notification, so it is delivered when the projecting transaction commits.
 */
export async function wakeBillingRun(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_notify($1, current_schema())', [channel]);
}

/** Capped exponential backoff between attempts to listen again after the connection was lost. */
export const relistenDelayMs = (attempt: number) => Math.min(100 * 2 ** attempt, 5_000);

/**
 * Listens (on a connection of its own) for `wakeBillingRun` in `schema`; resolves with a function that stops. A lost
 * connection (a Postgres restart) is replaced with backoff and LISTEN issued again; the run is then woken once,
 * since notifications sent while nobody listened are gone.
 */
export async function onBillingRunWakeups(options: {
  pool: pg.Pool;
  schema: string;
  wake: () => void;
  logger: Logger;
  retryDelayMs?: (attempt: number) => number;
}): Promise<() => Promise<void>> {
  const { pool, schema, wake, logger } = options;
  const retryDelayMs = options.retryDelayMs ?? relistenDelayMs;
  let listener: pg.PoolClient | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const onNotification = (message: pg.Notification) => {
    if (message.channel === channel && message.payload === schema) wake();
  };
  // A lost connection may report more than once (the server's farewell, then the closed socket): release it once.
  const released = new WeakSet<pg.PoolClient>();
  const release = (client: pg.PoolClient, error?: Error) => {
    if (released.has(client)) return;
    released.add(client);
    client.removeListener('notification', onNotification);
    client.release(error);
  };

  async function listen(): Promise<void> {
    const client = await pool.connect();
    client.on('error', (error) => {
      release(client, error);
      if (listener !== client) return;
      listener = undefined;
      logger.warn({ err: error }, 'billing run wakeups lost their connection; listening again');
      relisten(0);
    });
    client.on('notification', onNotification);
    try {
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      release(client, error as Error);
      throw error;
    }
    listener = client;
  }

  async function unlisten(): Promise<void> {
    const client = listener;
    listener = undefined;
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${channel}`);
      release(client);
    } catch (error) {
      release(client, error as Error);
    }
  }

  function relisten(attempt: number): void {
    if (stopped) return;
    retry = setTimeout(async () => {
      try {
        await listen();
      } catch {
        relisten(attempt + 1);
        return;
      }
      if (stopped) return unlisten();
      logger.info('billing run wakeups listening again');
      wake();
    }, retryDelayMs(attempt));
  }

  await listen();
  return async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(retry);
    await unlisten();
  };
}
