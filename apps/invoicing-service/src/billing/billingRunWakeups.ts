import type { Queryable } from '@afternoon/service-kit';
import type pg from 'pg';

const channel = 'afternoon_billing_run';

/**
 * Asks the billing run to look now rather than at its next interval: a test clock advanced, or a subscription
 * changed. A notification, so it is delivered when the projecting transaction commits.
 */
export async function wakeBillingRun(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_notify($1, current_schema())', [channel]);
}

/** Listens (on a connection of its own) for `wakeBillingRun` in `schema`; resolves with a function that stops. */
export async function onBillingRunWakeups(
  pool: pg.Pool,
  schema: string,
  wake: () => void,
): Promise<() => Promise<void>> {
  const listener = await pool.connect();
  const onNotification = (message: pg.Notification) => {
    if (message.channel === channel && message.payload === schema) wake();
  };
  listener.on('notification', onNotification);
  await listener.query(`LISTEN ${channel}`);
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    listener.removeListener('notification', onNotification);
    try {
      await listener.query(`UNLISTEN ${channel}`);
      listener.release();
    } catch {
      listener.release(true);
    }
  };
}
