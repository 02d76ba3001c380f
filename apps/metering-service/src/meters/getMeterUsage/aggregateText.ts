import type { AggregateRow } from '.';

/**
 * The aggregate's rows of one customer's answer as a single text value that Postgres writes and metering splits:
 * pg reading the 745 rows of an hourly month as rows cost metering ~0.9 ms of CPU, the same rows as one text ~0.15
 * ms, Postgres's own time the same. Fields are separated by U+001F and rows by U+001E, which none of them can
 * hold: integers, floats and numerics are digits and signs, and a group's value is JSON text, where every control
 * character is escaped. An empty field is SQL NULL (no field of these types writes empty text).
 */
const fieldSeparator = '\x1f';
const rowSeparator = '\x1e';

/** Which columns the aggregate has besides `level` and `value`: `bucket` for a windowed answer, then `g0…`. */
export interface AggregateColumns {
  windowed: boolean;
  groups: number;
}

function columnsOf({ windowed, groups }: AggregateColumns): string[] {
  return ['level', 'value', ...(windowed ? ['bucket'] : []), ...Array.from({ length: groups }, (_, i) => `g${i}`)];
}

/** A scalar subquery answering the rows of `aggregateSql` (a statement's text) as one text, or NULL for none. */
export function aggregateTextSql(aggregateSql: string, columns: AggregateColumns): string {
  const fields = columnsOf(columns).join(`, E'\\x1f', `);
  return `(SELECT string_agg(concat(${fields}), E'\\x1e') FROM (${aggregateSql}) aggregate)`;
}

/** The rows `aggregateTextSql` wrote. */
export function aggregateRowsOf(text: string | null, columns: AggregateColumns): AggregateRow[] {
  if (text === null) return [];
  const groupsAt = columns.windowed ? 3 : 2;
  return text.split(rowSeparator).map((line) => {
    const fields = line.split(fieldSeparator);
    const row: AggregateRow = { level: Number(fields[0]), value: fields[1] || null };
    if (columns.windowed) row.bucket = fields[2] ? Number(fields[2]) : null;
    for (let group = 0; group < columns.groups; group += 1) {
      const json = fields[groupsAt + group];
      row[`g${group}`] = json ? JSON.parse(json) : null;
    }
    return row;
  });
}
