import type pg from 'pg';

/** The relay's own connection: it holds the leadership lock and LISTENs for new outbox rows. */
export interface LeaderSession {
  /** Takes the session advisory lock if it is free, then LISTENs; false while another instance leads. */
  tryLead(): Promise<boolean>;
  /** What the connection reported while it sat idle (a server restart, a terminated backend), if anything. */
  lost(): Error | undefined;
  /** Gives the lock and the connection back; a lost connection is destroyed, never returned to the pool. */
  release(): Promise<void>;
}

export async function openLeaderSession(options: {
  pool: pg.Pool;
  lockKey: string;
  channel: string;
  onNotification: () => void;
  onLost: () => void;
}): Promise<LeaderSession> {
  const client = await options.pool.connect();
  let lost: Error | undefined;
  let released = false;
  // A held connection reports a dropped server only as an 'error' event, and an unheard one ends the process.
  const onError = (error: Error) => {
    lost ??= error;
    if (!released) options.onLost();
  };
  client.on('error', onError);
  client.on('notification', options.onNotification);

  return {
    lost: () => lost,
    async tryLead() {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        options.lockKey,
      ]);
      if (!rows[0]?.locked) return false;
      await client.query(`LISTEN ${options.channel}`);
      return true;
    },
    async release() {
      if (released) return;
      released = true;
      client.removeListener('notification', options.onNotification);
      if (!lost) {
        try {
          await client.query('UNLISTEN *');
          await client.query('SELECT pg_advisory_unlock_all()');
          client.removeListener('error', onError);
          client.release();
          return;
        } catch {}
      }
      // onError stays attached: a broken connection may still report as it closes.
      client.release(true);
    },
  };
}
