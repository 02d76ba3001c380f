import { EventRecord } from '@afternoon/contracts/messaging';
import {
  NotificationSettingsEvent,
  notificationSettingsEventWireNames,
} from '@afternoon/contracts/notificationSettings';
import { Topics } from '@afternoon/contracts/topics';
import {
  type ConsumedRecord,
  type ConsumerDefinition,
  decodeEventRecord,
  parseRecordJson,
  type ServiceContext,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { rescheduleReminders } from './rescheduleReminders';

/** A settings change read from `notification.events`: whose, and the id of its event. */
interface SettingsChange {
  tenant: Tenant;
  eventId: string;
  wireType: string;
}

function settingsChangeOf(record: ConsumedRecord): SettingsChange | undefined {
  const decoded = decodeEventRecord(record, NotificationSettingsEvent, notificationSettingsEventWireNames);
  if (!decoded) return undefined;
  const { event_id } = EventRecord.parse(parseRecordJson(record.value));
  const tenant = { organizationId: decoded.metadata.organization_id, mode: decoded.metadata.mode };
  return { tenant, eventId: event_id, wireType: decoded.wireType };
}

/**
 * Moves, cancels and adds the reminders not yet sent of a tenant's open invoices when it changes its settings
 * (`NotificationsConfigured` on the service's own `notification.events`), in the transaction of the consumed offset.
 * It follows the settings as they are when it runs (the command stored them before the event was published), so
 * changes read late or again end where the last one leaves them. A batch follows each tenant's last change once.
 */
export function reminderSettingsConsumer(now: () => Date): ConsumerDefinition {
  const follow = async (tx: Transaction, changes: SettingsChange[], context: ServiceContext) => {
    const lastOfTenant = new Map(
      changes.map((change) => [`${change.tenant.organizationId}/${change.tenant.mode}`, change]),
    );
    for (const { tenant, eventId } of lastOfTenant.values())
      await rescheduleReminders(tx, tenant, context, eventId, now());
  };
  return {
    name: 'email-reminder-settings',
    topics: [Topics.notificationEvents],
    deadLetterTopic: Topics.consumerDeadLetter,
    async handle(tx, record, context) {
      const change = settingsChangeOf(record);
      if (!change) return context.skip();
      context.setType(change.wireType);
      await follow(tx, [change], context);
    },
    async handleBatch(tx, records, context) {
      const changes = records.map(settingsChangeOf).filter((change) => change !== undefined);
      await follow(tx, changes, context);
    },
  };
}
