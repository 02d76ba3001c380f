import type { Slice } from '@afternoon/service-kit';
import { catalogRoutes } from './api';
import { catalogConsumers } from './catalogConsumers';

export { recordWebhookEvent } from './recordWebhookEvent';

/** The catalog of webhook events: the other services' topics turned into events, and the events log. */
export const catalogSlice: Slice = { name: 'catalog', consumers: catalogConsumers, routes: catalogRoutes };
