import { EventRecord } from '@afternoon/contracts/messaging';
import {
  type ConsumedRecord,
  decodeEventRecord,
  parseRecordJson,
  type ServiceContext,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import type { z } from 'zod';
import { catalogStep } from './catalogStep';
import { type EventToRecord, recordWebhookEvents } from './recordWebhookEvent';
import { replayedAmong } from './replayedOffsets';
import type { SourceEvent, SourceRecord } from './sourceEvents';
import {
  loadSubjects,
  type StoredSubject,
  saveSubjects,
  subjectName,
  type TenantSubject,
} from './subjects/subjectStore';
import { subjectKeyOf } from './subjects/subjects';

interface DecodedSource {
  record: ConsumedRecord;
  source: SourceRecord;
  tenant: Tenant;
  subject: TenantSubject | undefined;
}

/**
 * Turns a batch of another service's events topic into catalog events, in the consumer's transaction: folds each
 * event into its subject (unless a redelivery, which its stream version tells), records the events the subject's new
 * state describes, and schedules their deliveries (not for records a rebuild replays). Every subject the batch folds
 * is read (and locked) once and stored once at its last state, every event recorded in one statement, the replayed
 * offsets read once per partition; a batch leaves what its records one at a time leave. Records it cannot decode are
 * skipped.
 */
export function sourceEventsBatch<E extends SourceEvent>(
  schema: z.ZodType<E>,
  wireNames: Record<E['type'], string>,
  now: () => Date,
) {
  return async (tx: Transaction, records: ConsumedRecord[], context: ServiceContext): Promise<void> => {
    const sources = records.flatMap((record) => decoded(record, schema, wireNames));
    const subjects = new Map<string, TenantSubject>();
    for (const { subject } of sources) if (subject) subjects.set(subjectName(subject), subject);
    const states = await loadSubjects(tx, [...subjects.values()]);
    const folded = new Map<string, FoldedSubject>();
    const replayed = await replayedAmong(tx, records);
    const events: EventToRecord[] = [];
    for (const { record, source, tenant, subject } of sources) {
      const name = subject && subjectName(subject);
      const step = catalogStep(name ? storedAfter(folded.get(name), states.get(name)) : undefined, source);
      if (name && step.folded) folded.set(name, step.folded);
      const recordedAt = new Date(Number(record.timestamp)).toISOString();
      const from = `${record.topic}/${record.partition}/${record.offset}`;
      for (const event of step.events)
        events.push({ tenant, event, recordedAt, source: from, schedule: !replayed.has(record) });
    }
    await saveSubjects(
      tx,
      [...folded].map(([name, { version, state }]) => ({ ...(subjects.get(name) as TenantSubject), version, state })),
    );
    await recordWebhookEvents(tx, events, context, now());
  };
}

/** A subject's state as the batch folded it so far; undefined once its stream deleted it. */
type FoldedSubject = NonNullable<ReturnType<typeof catalogStep>['folded']>;

/** What a subject's next event is folded onto: as the batch left it, else as stored (none once deleted, as alone). */
function storedAfter(folded: FoldedSubject | undefined, stored: StoredSubject | undefined): StoredSubject | undefined {
  if (!folded) return stored;
  return folded.state === undefined ? undefined : { version: folded.version, state: folded.state };
}

function decoded<E extends SourceEvent>(
  record: ConsumedRecord,
  schema: z.ZodType<E>,
  wireNames: Record<E['type'], string>,
): DecodedSource[] {
  const event = decodeEventRecord(record, schema, wireNames);
  if (!event) return [];
  const { event_id } = EventRecord.parse(parseRecordJson(record.value));
  const source: SourceRecord = { ...event, eventId: event_id };
  const tenant: Tenant = { organizationId: source.metadata.organization_id, mode: source.metadata.mode };
  const key = subjectKeyOf(source.event);
  return [{ record, source, tenant, subject: key && { tenant, key } }];
}
