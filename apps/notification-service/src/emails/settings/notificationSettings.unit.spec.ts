import { defaultEmailSettings } from '@afternoon/contracts/notificationSettings';
import { describe, expect, it } from 'vitest';
import { decide, type NotificationSettingsCommand, type NotificationSettingsState } from './notificationSettings';

const at = '2027-01-01T00:00:00.000Z';
const configure = (email: NotificationSettingsCommand['data']['email']): NotificationSettingsCommand => ({
  type: 'ConfigureNotifications',
  data: { email },
  metadata: {
    command_id: 'c1',
    request_id: 'r1',
    organization_id: 'org',
    mode: 'live',
    issued_at: at,
    correlation_id: 'c1',
  },
});

describe('notification settings', () => {
  it('given none set, a change keeps the defaults of what it leaves out', () => {
    const events = decide(configure({ from_address: 'billing@acme.example' }), { status: 'default' });
    expect(events).toEqual([
      {
        type: 'NotificationsConfigured',
        data: { email: { ...defaultEmailSettings, from_address: 'billing@acme.example' }, configured_at: at },
      },
    ]);
  });

  it('given settings, a change keeps what it leaves out and null removes the reply-to', () => {
    const state: NotificationSettingsState = {
      status: 'configured',
      email: { ...defaultEmailSettings, from_address: 'a@acme.example', reply_to: 'r@acme.example' },
      updatedAt: at,
    };
    const [event] = decide(configure({ reply_to: null, send_in_test_mode: true }), state);
    expect(event?.data.email).toEqual({
      ...defaultEmailSettings,
      from_address: 'a@acme.example',
      reply_to: null,
      send_in_test_mode: true,
    });
  });

  it('setting what is set records nothing', () => {
    const state: NotificationSettingsState = { status: 'configured', email: defaultEmailSettings, updatedAt: at };
    expect(decide(configure({ invoice_finalized: true }), state)).toEqual([]);
  });

  it('given reminders, a change of one list keeps the other', () => {
    const state: NotificationSettingsState = {
      status: 'configured',
      email: { ...defaultEmailSettings, reminders: { before_due_days: [3], after_due_days: [1, 7] } },
      updatedAt: at,
    };
    const [event] = decide(configure({ reminders: { after_due_days: [] } }), state);
    expect(event?.data.email.reminders).toEqual({ before_due_days: [3], after_due_days: [] });
  });
});
