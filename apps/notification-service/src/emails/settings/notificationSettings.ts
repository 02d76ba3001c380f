import {
  type ConfigureNotifications,
  defaultEmailSettings,
  type EmailSettings,
  type NotificationSettingsEvent,
} from '@afternoon/contracts/notificationSettings';
import type { Decider, WithMetadata } from '@afternoon/service-kit';

export type NotificationSettingsState =
  | { status: 'default' }
  | { status: 'configured'; email: EmailSettings; updatedAt: string };

export type NotificationSettingsCommand = WithMetadata<ConfigureNotifications>;

/** One stream per organization and mode. */
export const notificationSettingsStream = (organizationId: string, mode: string) =>
  `notification_settings-${organizationId}-${mode}`;

export function evolve(_state: NotificationSettingsState, event: NotificationSettingsEvent): NotificationSettingsState {
  switch (event.type) {
    case 'NotificationsConfigured':
      return { status: 'configured', email: event.data.email, updatedAt: event.data.configured_at };
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}

/**
 * Records the full settings after the change: a setting the command leaves out keeps its value (the default's
 * before any was set), and so does a reminder list. Setting what is already set records nothing.
 */
export function decide(
  command: NotificationSettingsCommand,
  state: NotificationSettingsState,
): NotificationSettingsEvent[] {
  const current = state.status === 'configured' ? state.email : defaultEmailSettings;
  const { reminders, ...rest } = command.data.email;
  const email: EmailSettings = {
    ...current,
    ...definedOnly(rest),
    reminders: { ...current.reminders, ...definedOnly(reminders ?? {}) },
  };
  if (state.status === 'configured' && JSON.stringify(email) === JSON.stringify(current)) return [];
  return [{ type: 'NotificationsConfigured', data: { email, configured_at: command.metadata.issued_at } }];
}

const definedOnly = <T extends object>(changes: T): Partial<T> =>
  Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;

export const notificationSettingsDecider: Decider<
  NotificationSettingsCommand,
  NotificationSettingsEvent,
  NotificationSettingsState
> = { initialState: () => ({ status: 'default' }), evolve, decide };
