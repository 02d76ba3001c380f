/** A statement's text and the values its placeholders read, as `pg` takes them. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/**
 * The one way a statement numbers its placeholders: each value is added where the SQL reads it, and `add` answers
 * the placeholder (`$3`) to write there, so optional conditions and repeated tuples never count by hand.
 */
export class SqlParameters {
  readonly values: unknown[] = [];

  /** Adds a value; answers its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Adds values in order; answers their placeholders joined by commas (a VALUES tuple's or an IN list's inside). */
  list(values: readonly unknown[]): string {
    return values.map((value) => this.add(value)).join(', ');
  }

  /** The statement with the values added so far. */
  query(text: string): SqlQuery {
    return { text, values: this.values };
  }
}
