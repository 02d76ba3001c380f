import type { Mode } from '@afternoon/contracts/common';
import type { Logger } from '@afternoon/service-kit';
import type pg from 'pg';

/** What an API key resolves to: the key, its organization and mode, its revocation, the organization's limit. */
export interface KeyRow {
  id: string;
  organization_id: string;
  mode: Mode;
  revoked_at: Date | null;
  rate_limit_per_minute: number | null;
}

/** Notified, with the schema as payload, by 007_api_key_changes.sql's triggers. */
export const apiKeyChangesChannel = 'afternoon_api_key_changes';

export interface CallerCacheOptions {
  /** More keys than this held at once: the longest held is forgotten first. */
  maxEntries?: number;
  /** A key is looked up again after this long even without a change heard (a notice missed by a dead socket). */
  maxAgeMs?: number;
  /** After the listening connection failed, another is tried no sooner than this. */
  relistenAfterMs?: number;
  now?: () => number;
}

/**
 * The rows API keys resolved to, held in memory so a request does not ask Postgres who it is from (ADR 0056).
 * Held only while a connection LISTENs for the changes the triggers announce: any change to a key or organization
 * of this schema forgets everything, and so does losing that connection. A lookup that began before a change keeps
 * nothing it found.
 */
export interface CallerCache {
  /** The row `keyHash` resolved to, while it is held and vouched for. */
  get(keyHash: string): KeyRow | undefined;
  /** Marks the start of a lookup, for `keep`. */
  begin(): number;
  /** Holds what a lookup begun at `begunAt` found, unless something changed (or was forgotten) since. */
  keep(keyHash: string, row: KeyRow, begunAt: number): void;
  /** Forgets every key: this gateway's own admin changes call it, so they never wait for their notice. */
  forget(): void;
  stop(): Promise<void>;
}

export function callerCache(
  pool: pg.Pool,
  schema: string,
  logger: Logger,
  { maxEntries = 10_000, maxAgeMs = 60_000, relistenAfterMs = 1_000, now = Date.now }: CallerCacheOptions = {},
): CallerCache {
  const held = new Map<string, { row: KeyRow; keptAt: number }>();
  let generation = 0;
  let listener: pg.PoolClient | undefined;
  /** Lets go of the listening connection, once (a lost one may report twice: the server's farewell, then 'end'). */
  let dropListener: ((reason: Error) => void) | undefined;
  let connecting: Promise<void> | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let stopped = false;

  const forget = () => {
    generation += 1;
    held.clear();
  };
  const onNotification = (message: pg.Notification) => {
    if (message.payload === schema) forget();
  };

  async function listen(): Promise<void> {
    const client = await pool.connect();
    let lost = false;
    const onLost = (error: Error) => {
      if (lost) return;
      lost = true;
      client.removeListener('notification', onNotification);
      if (listener === client) {
        listener = undefined;
        dropListener = undefined;
      }
      forget();
      // Destroyed, never returned: a pooled connection would stay LISTENing for whoever took it next.
      client.release(error);
      if (!stopped)
        logger.warn({ err: error }, 'API key changes unheard: every request looks its key up until heard again');
    };
    client.on('notification', onNotification);
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the listening connection ended')));
    try {
      await client.query(`LISTEN ${apiKeyChangesChannel}`);
    } catch (error) {
      onLost(error as Error);
      throw error;
    }
    if (stopped) return onLost(new Error('stopped'));
    // What was found before this connection listened was never vouched for.
    forget();
    listener = client;
    dropListener = onLost;
  }

  function listenIfDue(): void {
    if (listener || connecting || stopped || now() - lastAttemptAt < relistenAfterMs) return;
    lastAttemptAt = now();
    connecting = listen()
      .catch((error: unknown) => logger.warn({ err: error }, 'could not listen for API key changes'))
      .finally(() => {
        connecting = undefined;
      });
  }

  return {
    get(keyHash) {
      listenIfDue();
      if (!listener) return undefined;
      const entry = held.get(keyHash);
      if (!entry) return undefined;
      if (now() - entry.keptAt < maxAgeMs) return entry.row;
      held.delete(keyHash);
      return undefined;
    },
    begin: () => generation,
    keep(keyHash, row, begunAt) {
      if (!listener || begunAt !== generation) return;
      held.delete(keyHash);
      held.set(keyHash, { row, keptAt: now() });
      // A Map iterates in insertion order: the first key is the one held longest.
      if (held.size > maxEntries) held.delete(held.keys().next().value as string);
    },
    forget,
    async stop() {
      stopped = true;
      await connecting;
      dropListener?.(new Error('stopped'));
    },
  };
}
