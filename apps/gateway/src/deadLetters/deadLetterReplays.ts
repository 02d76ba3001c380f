import type pg from 'pg';

export interface Replay {
  replayedAt: string;
  replays: number;
}

/** A dead letter as its replays are kept: its id and the time it was dead-lettered (ISO 8601). */
export interface ReplayedLetter {
  id: string;
  deadLetteredAt: string;
}

/** Notes that `letter` was sent to `targetTopic` once more. */
export async function recordReplay(pool: pg.Pool, letter: ReplayedLetter, targetTopic: string): Promise<void> {
  await pool.query(
    `INSERT INTO dead_letter_replays (dead_letter_id, dead_lettered_at, target_topic, replays) VALUES ($1, $2, $3, 1)
     ON CONFLICT (dead_letter_id, dead_lettered_at) DO UPDATE SET
       replays = dead_letter_replays.replays + 1, target_topic = EXCLUDED.target_topic, last_replayed_at = now()`,
    [letter.id, letter.deadLetteredAt, targetTopic],
  );
}

/** The replays of these letters, by id; letters never replayed are absent. */
export async function replaysOf(pool: pg.Pool, letters: readonly ReplayedLetter[]): Promise<Map<string, Replay>> {
  const { rows } = await pool.query<{
    dead_letter_id: string;
    dead_lettered_at: Date;
    last_replayed_at: Date;
    replays: number;
  }>(
    `SELECT dead_letter_id, dead_lettered_at, last_replayed_at, replays FROM dead_letter_replays
     WHERE dead_letter_id = ANY($1)`,
    [letters.map((letter) => letter.id)],
  );
  const timeOf = new Map(letters.map((letter) => [letter.id, Date.parse(letter.deadLetteredAt)]));
  const replays = new Map<string, Replay>();
  for (const row of rows) {
    if (row.dead_lettered_at.getTime() !== timeOf.get(row.dead_letter_id)) continue;
    replays.set(row.dead_letter_id, { replayedAt: row.last_replayed_at.toISOString(), replays: row.replays });
  }
  return replays;
}
