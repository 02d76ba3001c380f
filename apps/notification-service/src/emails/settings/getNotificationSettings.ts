import {
  defaultEmailSettings,
  EmailSettings,
  type NotificationSettings,
  NotificationSettingsEvent,
} from '@afternoon/contracts/notificationSettings';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';

/** `notification_settings`: one row per organization and mode that set its own. */
export const notificationSettingsProjection: Projection = {
  name: 'notification_settings',
  tables: ['notification_settings'],
  handles: ['NotificationsConfigured'],
  async apply(tx, stored) {
    const event = NotificationSettingsEvent.parse(stored);
    await tx.query(
      `INSERT INTO notification_settings (organization_id, mode, email, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, mode) DO UPDATE SET email = $3, updated_at = $4`,
      [
        stored.metadata.organization_id,
        stored.metadata.mode,
        JSON.stringify(event.data.email),
        event.data.configured_at,
      ],
    );
  },
};

/** The tenant's settings, the defaults where it has set none (and no reminders where set before they existed). */
export async function getNotificationSettings(db: Queryable, tenant: Tenant): Promise<NotificationSettings> {
  const { rows } = await db.query<{ email: EmailSettings; updated_at: Date }>(
    'SELECT email, updated_at FROM notification_settings WHERE organization_id = $1 AND mode = $2',
    [tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  return row
    ? { email: EmailSettings.parse(row.email), updated_at: row.updated_at.toISOString() }
    : { email: defaultEmailSettings, updated_at: null };
}
