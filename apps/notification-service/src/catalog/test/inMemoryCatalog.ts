import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import { EventRecord } from '@afternoon/contracts/messaging';
import { webhookCatalog } from '@afternoon/contracts/webhookCatalog';
import { WebhookEvent } from '@afternoon/contracts/webhooks';
import { type ConsumedRecord, decodeEventRecord } from '@afternoon/service-kit';
import { catalogStep } from '../catalogStep';
import { InvoicingSourceEvent, invoicingSourceWireNames, type SourceRecord } from '../sourceEvents';
import type { StoredSubject } from '../subjects/subjectStore';
import { subjectKeyOf } from '../subjects/subjects';
import type { SourceEventRecord } from './sourceRecords';

const consumed = ({ key, value }: SourceEventRecord): ConsumedRecord => ({
  topic: 'invoice.events',
  partition: 0,
  offset: '0',
  timestamp: '0',
  key,
  value,
  headers: {},
});

/**
 * The catalog as its consumers run it, in memory: decode, fold the subject, translate; every event it makes is checked
 * against the catalog's schemas.
 */
export function inMemoryCatalog() {
  const subjects = new Map<string, StoredSubject>();
  return (record: SourceEventRecord): WebhookEvent[] => {
    const decoded =
      decodeEventRecord(consumed(record), CustomerEvent, customerEventWireNames) ??
      decodeEventRecord(consumed(record), InvoicingSourceEvent, invoicingSourceWireNames);
    if (!decoded) return [];
    const source: SourceRecord = { ...decoded, eventId: EventRecord.parse(JSON.parse(record.value)).event_id };
    const key = subjectKeyOf(source.event);
    const name = key && `${key.kind}:${key.id}`;
    const step = catalogStep(name ? subjects.get(name) : undefined, source);
    if (name && step.folded?.state) subjects.set(name, { version: step.folded.version, state: step.folded.state });
    for (const event of step.events) {
      WebhookEvent.parse(event);
      webhookCatalog[event.type].data.parse(event.data);
    }
    return step.events;
  };
}
