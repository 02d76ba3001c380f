import type { StoredEvent } from '../eventStore/eventStore';
import type { Transaction } from '../postgres/database';

/** A read model: the events it handles, how it applies one, and the tables a rebuild empties. */
export interface Projection {
  name: string;
  tables: readonly string[];
  handles: readonly string[];
  apply(tx: Transaction, event: StoredEvent): Promise<void>;
  /**
   * Applies, in order, every event of one recording that it handles, at once (a batch of decisions in a few
   * statements). It runs after the other projections have applied each of those events: only a projection whose
   * tables no other projection reads while applying may have it.
   */
  applyAll?(tx: Transaction, events: readonly StoredEvent[]): Promise<void>;
}

export async function projectEvents(
  tx: Transaction,
  projections: readonly Projection[],
  events: readonly StoredEvent[],
): Promise<void> {
  const eachEvent = projections.filter((projection) => !projection.applyAll);
  for (const event of events) {
    for (const projection of eachEvent) {
      if (projection.handles.includes(event.type)) await projection.apply(tx, event);
    }
  }
  for (const projection of projections) {
    const handled = events.filter((event) => projection.handles.includes(event.type));
    if (projection.applyAll && handled.length > 0) await projection.applyAll(tx, handled);
  }
}
