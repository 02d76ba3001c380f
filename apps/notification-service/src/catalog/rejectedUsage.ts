import { Mode } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import { RejectionReason } from '@afternoon/contracts/usage';
import type { EventsRejectedPayload } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import { type ConsumedRecord, parseRecordJson, type Tenant } from '@afternoon/service-kit';
import { webhookEvent } from './toWebhookEvents';
import { webhookEventId } from './webhookEventId';

/**
 * The code of a refusal read from the reason's text, for a dead letter without the code's header (metering wrote
 * none before it had one): the prefixes of apps/metering-service/src/usage/meterUsage.ts. Anything else the kit
 * dead-lettered for the record's own sake (a value no consumer could read) counts as an invalid record.
 */
const reasonCodes: readonly [RegExp, RejectionReason][] = [
  [/^unknown customer:/, 'unknown_customer'],
  [/^customer deleted before/, 'customer_deleted'],
  [/^refused by the store:/, 'unstorable_value'],
  [/^duplicate idempotency_key/, 'conflicting_duplicate'],
];

export function rejectionReasonCode(reason: string): RejectionReason {
  return reasonCodes.find(([pattern]) => pattern.test(reason))?.[1] ?? 'invalid_record';
}

/**
 * `events.rejected` for a dead-lettered usage record, and whose it is: by the gateway's headers, or the record's own
 * names. Its code is the one metering put in the header, or else the one its reason's text tells. A record that names no tenant makes none (no organization could be told). Its id hashes where the record
 * was refused (the dead letter's source), so the same refusal dead-lettered again makes the same event.
 */
export function rejectedUsageEvent(record: ConsumedRecord): { tenant: Tenant; event: WebhookEvent } | undefined {
  const value = parseRecordJson(record.value);
  const named = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const organizationId = record.headers[Headers.organizationId] ?? text(named.organization_id);
  const mode = Mode.safeParse(record.headers[Headers.mode] ?? named.mode);
  if (!organizationId || !mode.success) return undefined;
  const reason = record.headers[Headers.deadLetterReason] ?? 'refused';
  const code = RejectionReason.safeParse(record.headers[Headers.deadLetterReasonCode]);
  const position = record.headers[Headers.deadLetterSource] ?? `${record.topic}/${record.partition}/${record.offset}`;
  const data: EventsRejectedPayload = {
    ...optional('idempotency_key', named.idempotency_key),
    ...optional('event_name', named.event_name),
    ...optional('customer_id', named.customer_id),
    reason_code: code.success ? code.data : rejectionReasonCode(reason),
    reason,
  };
  const timestamp = new Date(Number(record.timestamp)).toISOString();
  const event = webhookEvent(
    'events.rejected',
    webhookEventId(position, 'events.rejected'),
    {
      timestamp,
      mode: mode.data,
    },
    data,
  );
  return { tenant: { organizationId, mode: mode.data }, event };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 255 ? value : undefined;
}

function optional<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  const found = text(value);
  return found === undefined ? {} : ({ [key]: found } as Record<K, string>);
}
