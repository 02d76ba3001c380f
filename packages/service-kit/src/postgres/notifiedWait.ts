import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Queryable } from './database';

/** A wait looks again this often even without a notification, so a missed one only slows it down. */
const defaultLookAgainMs = 250;
/** The listening connection goes back to the pool once nobody has waited this long. */
const idleReleaseMs = 1_000;

export interface NotifiedWait {
  /**
   * Answers what `look` answers as soon as that is something, looking again each time the channel is notified (a
   * NOTIFY is delivered when its transaction commits); undefined once `waitMs` has passed.
   */
  until<T>(look: () => Promise<T | undefined>, waitMs: number, signal?: AbortSignal): Promise<T | undefined>;
}

/** Aborted once `response` is closed (answered, or its connection gone): a wait for a caller no longer there ends. */
export function responseClosed(response: ServerResponse): AbortSignal {
  const closed = new AbortController();
  response.once('close', () => closed.abort());
  return closed.signal;
}

/** Tells the waiters on `channel` to look again, once the caller's transaction commits. */
export async function notifyWaiters(tx: Queryable, channel: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [channel, '']);
}

/**
 * Waits on `channel` of `pool`, for read routes that answer once a consumer has committed something. One connection
 * LISTENs for all the waits of the process, taken on the first and given back after a second without any.
 */
export function notifiedWait(
  pool: pg.Pool,
  channel: string,
  { lookAgainMs = defaultLookAgainMs }: { lookAgainMs?: number } = {},
): NotifiedWait {
  const wakers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of wakers) wake();
  };
  let listening: Promise<pg.PoolClient> | undefined;
  let listener: pg.PoolClient | undefined;
  const released = new WeakSet<pg.PoolClient>();
  let waits = 0;
  let idle: NodeJS.Timeout | undefined;

  function listen(): Promise<pg.PoolClient> {
    listening ??= connect().catch((error: unknown) => {
      listening = undefined;
      throw error;
    });
    return listening;
  }

  async function connect(): Promise<pg.PoolClient> {
    const client = await pool.connect();
    // A lost connection may report more than once (the server's farewell, then the closed socket): release it once.
    const lost = (error: Error) => {
      if (released.has(client)) return;
      released.add(client);
      client.removeListener('notification', wakeAll);
      if (listener === client) {
        listener = undefined;
        listening = undefined;
      }
      client.release(error);
      wakeAll();
    };
    client.on('notification', wakeAll);
    client.on('error', lost);
    try {
      await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
    } catch (error) {
      lost(error as Error);
      throw error;
    }
    listener = client;
    return client;
  }

  async function release(): Promise<void> {
    const pending = listening;
    listening = undefined;
    const client = await pending?.catch(() => undefined);
    if (!client || released.has(client)) return;
    if (listener === client) listener = undefined;
    released.add(client);
    client.removeListener('notification', wakeAll);
    try {
      await client.query('UNLISTEN *');
      client.release();
    } catch (error) {
      client.release(error as Error);
    }
  }

  return {
    async until(look, waitMs, signal) {
      const deadline = Date.now() + waitMs;
      const gone = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      waits += 1;
      clearTimeout(idle);
      try {
        for (;;) {
          let wake = () => {};
          const woken = new Promise<void>((resolve) => {
            wake = resolve;
          });
          // Listening before looking: a commit after the look's snapshot is then always heard.
          wakers.add(wake);
          try {
            if (waitMs > 0) await listen().catch(() => undefined);
            const answer = await look();
            const left = deadline - Date.now();
            // A pool being ended waits for the listening connection: no new wait may hold it.
            if (answer !== undefined || left <= 0 || signal?.aborted || pool.ending) return answer;
            let timer: NodeJS.Timeout | undefined;
            const lookAgain = new Promise<void>((resolve) => {
              timer = setTimeout(resolve, Math.min(left, lookAgainMs));
            });
            await Promise.race([woken, lookAgain, gone]);
            clearTimeout(timer);
          } finally {
            wakers.delete(wake);
          }
        }
      } finally {
        waits -= 1;
        if (waits === 0 && pool.ending) void release();
        else if (waits === 0) idle = setTimeout(() => void release(), idleReleaseMs).unref();
      }
    },
  };
}
