import type { Slice } from '@afternoon/service-kit';
import { catalogRoutes } from './api';
import { catalogConsumers } from './catalogConsumers';

export { announceOwnEvent } from './announceOwnEvent';
export { recordWebhookEvent } from './recordWebhookEvent';

/**
 * The catalog of webhook events: the other services' topics turned into events, and the events log. `now` is the
 * schedule's clock, when the deliveries of new events are due.
 */
export function catalogSlice(now: () => Date): Slice {
  return { name: 'catalog', consumers: catalogConsumers(now), routes: catalogRoutes };
}
