import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { SourceRecord } from './sourceEvents';
import type { StoredSubject } from './subjects/subjectStore';
import { evolveSubject, subjectKeyOf } from './subjects/subjects';
import { toWebhookEvents } from './toWebhookEvents';

export interface CatalogStep {
  /** The subject's new state to store, when the event moved it (undefined state: the subject is gone). */
  folded?: { version: number; state: StoredSubject['state'] | undefined };
  events: WebhookEvent[];
}

/**
 * One source event against its subject's stored state (none for an event without a subject): folds it unless its
 * stream version says the subject has it already (a redelivery), and translates it.
 */
export function catalogStep(stored: StoredSubject | undefined, source: SourceRecord): CatalogStep {
  if (!subjectKeyOf(source.event)) return { events: toWebhookEvents(source, undefined) };
  if (stored && stored.version >= source.version) return { events: toWebhookEvents(source, stored.state) };
  const state = evolveSubject(stored?.state, source.event);
  return { folded: { version: source.version, state }, events: toWebhookEvents(source, state) };
}
