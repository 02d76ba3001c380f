import { createHash } from 'node:crypto';
import type { WebhookEventType } from '@afternoon/contracts/webhooks';

/**
 * The id of the catalog event of `type` made from `source` (a source event's id, or a dead letter's position):
 * `evt_` and 32 hex digits of their hash, so a replayed topic or a rebuild makes the same id.
 */
export function webhookEventId(source: string, type: WebhookEventType): string {
  return `evt_${createHash('sha256').update(`${source}\n${type}`).digest('hex').slice(0, 32)}`;
}
