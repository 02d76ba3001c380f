import type { StoredEvent } from '../eventStore/eventStore';
import type { Transaction } from '../postgres/database';

/** A read model: the events it handles, how it applies one, and the tables a rebuild empties. */
export interface Projection {
  name: string;
  tables: readonly string[];
  handles: readonly string[];
  apply(tx: Transaction, event: StoredEvent): Promise<void>;
}

export async function projectEvents(
  tx: Transaction,
  projections: readonly Projection[],
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) {
    for (const projection of projections) {
      if (projection.handles.includes(event.type)) await projection.apply(tx, event);
    }
  }
}
