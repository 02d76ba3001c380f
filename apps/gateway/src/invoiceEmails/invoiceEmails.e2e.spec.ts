import { eventually, type GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { type SmtpInbox, startSmtpInbox } from './smtpInbox.testing';

describe('invoice emails through the gateway, received by a real SMTP server', () => {
  let inbox: SmtpInbox;
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    cluster = await startTestCluster({ withNotificationService: true, smtpUrl: inbox.url });
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await inbox?.stop();
  });

  const mailTo = (address: string) =>
    inbox.received.filter((mail) => mail.to && JSON.stringify(mail.to).includes(address));

  /** A customer with `email` and a finalized `send_invoice` invoice of 2 × $12.34 for them. */
  async function finalizedInvoice(client: GatewayClient, email: string) {
    const customer = await client.post('/v1/customers', { name: 'Wayne Enterprises', email });
    expect(customer.status).toBe(201);
    const draft = await client.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'Support', quantity: 2, unit_amount_cents: 1234 }],
    });
    expect(draft.status).toBe(201);
    const finalized = await client.post(`/v1/invoices/${draft.body.invoice.id}/finalize`);
    expect(finalized.status).toBe(200);
    return finalized.body.invoice;
  }

  it('settings start at their defaults and a PATCH changes only what it names', async () => {
    const initial = await acme.test.get('/v1/notification_settings');
    expect(initial.status).toBe(200);
    expect(initial.body.notification_settings).toEqual({
      email: {
        from_address: null,
        reply_to: null,
        invoice_finalized: true,
        invoice_paid_receipt: true,
        send_in_test_mode: false,
        reminders: { before_due_days: [], after_due_days: [] },
      },
      updated_at: null,
    });
    const refused = await acme.live.patch('/v1/notification_settings', { email: { from_address: 'not an address' } });
    expect(refused.status).toBe(400);

    const patched = await acme.live.patch('/v1/notification_settings', {
      email: { from_address: 'billing@acme.example', send_in_test_mode: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.notification_settings.email).toMatchObject({
      from_address: 'billing@acme.example',
      invoice_finalized: true,
      send_in_test_mode: true,
    });
    const read = await acme.live.get('/v1/notification_settings');
    expect(read.body.notification_settings).toEqual(patched.body.notification_settings);
    // Per organization and mode: test mode and another organization keep the defaults.
    expect((await acme.test.get('/v1/notification_settings')).body.notification_settings.updated_at).toBeNull();
    expect((await globex.live.get('/v1/notification_settings')).body.notification_settings.updated_at).toBeNull();
  });

  it('emails a finalized send_invoice invoice with its number, amount, link and PDF, then a receipt once paid', async () => {
    const invoice = await finalizedInvoice(acme.live, 'ap@wayne.example');

    await eventually(() => expect(mailTo('ap@wayne.example')).toHaveLength(1), {
      label: 'invoice email',
      timeout: 30_000,
    });
    const [mail] = mailTo('ap@wayne.example');
    expect(mail?.from?.text).toBe('billing@acme.example');
    expect(mail?.subject).toBe(`Invoice ${invoice.invoice_number} from billing@acme.example`);
    // 2 × 1234 cents = 2468 cents = $24.68
    expect(mail?.text).toContain('Amount due: $24.68');
    expect(mail?.text).toContain(invoice.invoice_number);
    expect(mail?.text).toContain(invoice.due_date.slice(0, 10));
    expect(mail?.text).toContain(invoice.public_invoice_url);
    expect(mail?.html).toContain(invoice.public_invoice_url);
    const page = await fetch(`${cluster.baseUrl}${new URL(invoice.public_invoice_url).pathname}`);
    expect(page.status).toBe(200);
    expect(mail?.attachments).toHaveLength(1);
    const pdf = mail?.attachments[0];
    expect(pdf?.contentType).toBe('application/pdf');
    expect(pdf?.filename).toBe(`${invoice.invoice_number}.pdf`);
    expect(pdf?.content.subarray(0, 4).toString()).toBe('%PDF');

    expect((await acme.live.post(`/v1/invoices/${invoice.id}/pay`)).status).toBe(200);
    await eventually(() => expect(mailTo('ap@wayne.example')).toHaveLength(2), { label: 'receipt', timeout: 30_000 });
    const receipt = mailTo('ap@wayne.example')[1];
    expect(receipt?.subject).toBe(`Receipt for invoice ${invoice.invoice_number} from billing@acme.example`);
    expect(receipt?.text).toContain('Amount paid: $24.68');

    const log = await eventually(async () => {
      const answer = await acme.live.get(`/v1/invoices/${invoice.id}/emails`);
      expect(answer.body.emails.map((email: { status: string }) => email.status)).toEqual(['succeeded', 'succeeded']);
      return answer;
    });
    expect(log.status).toBe(200);
    expect(log.body).toEqual({
      success: true,
      emails: [
        expect.objectContaining({ kind: 'invoice', to: 'ap@wayne.example', next_attempt_at: null }),
        expect.objectContaining({ kind: 'receipt', to: 'ap@wayne.example', next_attempt_at: null }),
      ],
      request_id: expect.any(String),
    });
    expect(log.body.emails[0].attempts).toEqual([
      {
        attempted_at: expect.any(String),
        latency_ms: expect.any(Number),
        smtp_response: expect.stringMatching(/^250/),
        error: null,
      },
    ]);
    // Tenant-scoped: another organization and the other mode do not find the invoice.
    expect((await globex.live.get(`/v1/invoices/${invoice.id}/emails`)).status).toBe(404);
    expect((await acme.test.get(`/v1/invoices/${invoice.id}/emails`)).status).toBe(404);
  }, 90_000);

  it('logs a refused send as a failed attempt and sends it again on the retry schedule', async () => {
    inbox.refusing = true;
    const invoice = await finalizedInvoice(acme.live, 'refused@wayne.example');
    const emailsOf = async () => (await acme.live.get(`/v1/invoices/${invoice.id}/emails`)).body.emails;
    const [failed] = await eventually(
      async () => {
        const emails = await emailsOf();
        expect(emails[0]?.attempts).toHaveLength(1);
        return emails;
      },
      { label: 'a refused attempt', timeout: 30_000 },
    );
    expect(failed.status).toBe('pending');
    expect(failed.attempts[0].error).toMatch(/^smtp: .*451/);
    expect(failed.next_attempt_at).not.toBeNull();
    inbox.refusing = false;

    // The first retry is due 5 s (± 10 %) after the failure.
    await eventually(() => expect(mailTo('refused@wayne.example')).toHaveLength(1), {
      label: 'retried',
      timeout: 30_000,
    });
    await eventually(async () => {
      const [email] = await emailsOf();
      expect(email.status).toBe('succeeded');
      expect(email.attempts.map((attempt: { error: string | null }) => attempt.error === null)).toEqual([false, true]);
    });
  }, 90_000);

  it('without a from address the attempt fails with no_from_address, and the retry after one is set sends it', async () => {
    const invoice = await finalizedInvoice(globex.live, 'nofrom@wayne.example');
    const emailsOf = async () => (await globex.live.get(`/v1/invoices/${invoice.id}/emails`)).body.emails;
    const [failed] = await eventually(
      async () => {
        const emails = await emailsOf();
        expect(emails[0]?.attempts).toHaveLength(1);
        return emails;
      },
      { label: 'an attempt without a sender', timeout: 30_000 },
    );
    expect(failed).toMatchObject({ kind: 'invoice', status: 'pending', next_attempt_at: expect.any(String) });
    expect(failed.attempts[0].error).toBe('no_from_address');
    const set = await globex.live.patch('/v1/notification_settings', { email: { from_address: 'ar@globex.example' } });
    expect(set.status).toBe(200);

    await eventually(() => expect(mailTo('nofrom@wayne.example')).toHaveLength(1), { label: 'sent', timeout: 30_000 });
    expect(mailTo('nofrom@wayne.example')[0]?.from?.text).toBe('ar@globex.example');
  }, 90_000);

  it('emails nothing in test mode unless the organization asks for it', async () => {
    const invoice = await finalizedInvoice(acme.test, 'quiet@wayne.example');
    // The catalog decides whether to email when it records the finalize: asked only once it has, so it decided off.
    await eventually(
      async () => {
        const log = (await acme.test.get('/v1/events_log?type=invoice.finalized')).body.events;
        expect(log.map((event: { data: { id: string } }) => event.data.id)).toContain(invoice.id);
      },
      { label: 'the finalize recorded', timeout: 30_000 },
    );
    const asked = await acme.test.patch('/v1/notification_settings', {
      email: { from_address: 'billing@acme.example', send_in_test_mode: true },
    });
    expect(asked.status).toBe(200);
    expect((await acme.test.post(`/v1/invoices/${invoice.id}/pay`)).status).toBe(200);
    // Payment follows finalize on the invoice's stream: once its receipt came, the finalize was seen, and not emailed.
    await eventually(() => expect(mailTo('quiet@wayne.example')).toHaveLength(1), {
      label: 'receipt',
      timeout: 30_000,
    });
    expect(mailTo('quiet@wayne.example')[0]?.subject).toMatch(/^Receipt for invoice/);
    const emails = (await acme.test.get(`/v1/invoices/${invoice.id}/emails`)).body.emails;
    expect(emails.map((email: { kind: string }) => email.kind)).toEqual(['receipt']);
  }, 60_000);

  it('replays a window of emails by request: the invoice email arrives again, once per Idempotency-Key', async () => {
    const hooli = await cluster.createOrganization('Hooli');
    const client = hooli.live;
    const sender = await client.patch('/v1/notification_settings', { email: { from_address: 'ar@hooli.example' } });
    expect(sender.status).toBe(200);
    const from = new Date(Date.now() - 60_000).toISOString();
    const invoice = await finalizedInvoice(client, 'replayed@wayne.example');
    await eventually(() => expect(mailTo('replayed@wayne.example')).toHaveLength(1), {
      label: 'invoice email',
      timeout: 30_000,
    });
    const to = new Date(Date.now() + 60_000).toISOString();

    const backwards = await client.post('/v1/invoice_emails/replay', { from: to, to: from });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    const unknownKind = await client.post('/v1/invoice_emails/replay', { from, to, kinds: ['invoice', 'statement'] });
    expect(unknownKind.status).toBe(400);
    // Another organization's replay of the same window, or the other mode's, is of its own emails: none.
    const umbrella = await cluster.createOrganization('Umbrella');
    for (const stranger of [umbrella.live, hooli.test]) {
      const answer = await stranger.post('/v1/invoice_emails/replay', { from, to });
      expect(answer.status).toBe(200);
      expect(answer.body.replay).toMatchObject({
        replayed: 0,
        kinds: ['invoice', 'receipt', 'reminder_before_due', 'reminder_overdue'],
      });
    }

    const headers = { 'Idempotency-Key': 'replay-hooli-1' };
    const replayed = await client.post('/v1/invoice_emails/replay', { from, to, kinds: ['invoice'] }, headers);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual({
      success: true,
      replay: { id: expect.any(String), from, to, kinds: ['invoice'], replayed: 1, requested_at: expect.any(String) },
      request_id: expect.any(String),
    });
    await eventually(() => expect(mailTo('replayed@wayne.example')).toHaveLength(2), {
      label: 'sent again by the replay',
      timeout: 30_000,
    });
    const [first, again] = mailTo('replayed@wayne.example');
    expect(again?.subject).toBe(first?.subject);
    expect(again?.subject).toBe(`Invoice ${invoice.invoice_number} from ar@hooli.example`);
    const [email] = await eventually(async () => {
      const emails = (await client.get(`/v1/invoices/${invoice.id}/emails`)).body.emails;
      expect(emails[0]).toMatchObject({ status: 'succeeded', attempts: [expect.anything(), expect.anything()] });
      return emails;
    });

    // The same Idempotency-Key answers the first replay again and replays nothing more.
    const retried = await client.post('/v1/invoice_emails/replay', { from, to, kinds: ['invoice'] }, headers);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.replay).toEqual(replayed.body.replay);
    expect((await client.get(`/v1/invoices/${invoice.id}/emails`)).body.emails).toEqual([email]);
  }, 90_000);

  it('reminds the customer before the due date when its test clock gets there, and sends an email again by request', async () => {
    const initech = await cluster.createOrganization('Initech');
    const client = initech.test;
    const refused = await client.patch('/v1/notification_settings', {
      email: { reminders: { before_due_days: [3, 3], after_due_days: [0] } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    const configured = await client.patch('/v1/notification_settings', {
      email: {
        from_address: 'ar@initech.example',
        send_in_test_mode: true,
        invoice_finalized: false,
        reminders: { before_due_days: [3], after_due_days: [7] },
      },
    });
    expect(configured.status).toBe(200);
    expect(configured.body.notification_settings.email.reminders).toEqual({
      before_due_days: [3],
      after_due_days: [7],
    });

    const clock = await client.post('/v1/test_clocks', { frozen_time: '2026-01-01T00:00:00Z' });
    expect(clock.status).toBe(201);
    const clockId = clock.body.test_clock.id;
    const customer = await client.post('/v1/customers', {
      name: 'Initech customer',
      email: 'late@initech.example',
      test_clock: clockId,
    });
    expect(customer.status).toBe(201);
    const draft = await client.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'TPS reports', quantity: 1, unit_amount_cents: 5000 }],
    });
    const invoice = (await client.post(`/v1/invoices/${draft.body.invoice.id}/finalize`)).body.invoice;
    const dueDay = Date.parse(`${invoice.due_date.slice(0, 10)}T00:00:00.000Z`);
    const emailsOf = async () => (await client.get(`/v1/invoices/${invoice.id}/emails`)).body.emails;
    const [before, overdue] = await eventually(
      async () => {
        const emails = await emailsOf();
        expect(emails.map((email: { kind: string }) => email.kind).sort()).toEqual([
          'reminder_before_due',
          'reminder_overdue',
        ]);
        return [...emails].sort((a, b) => a.remind_at.localeCompare(b.remind_at));
      },
      { label: 'reminders scheduled', timeout: 30_000 },
    );
    // 00:00 UTC of the days 3 before and 7 after the due date, on the customer's clock.
    expect(before.remind_at).toBe(new Date(dueDay - 3 * 86_400_000).toISOString());
    expect(overdue.remind_at).toBe(new Date(dueDay + 7 * 86_400_000).toISOString());
    expect(mailTo('late@initech.example')).toEqual([]);

    const advanced = await client.post(`/v1/test_clocks/${clockId}/advance`, {
      frozen_time: new Date(dueDay - 3 * 86_400_000 + 3_600_000).toISOString(),
    });
    expect(advanced.status).toBe(200);
    await eventually(() => expect(mailTo('late@initech.example')).toHaveLength(1), {
      label: 'reminder before the due date',
      timeout: 30_000,
    });
    const reminder = mailTo('late@initech.example')[0];
    expect(reminder?.subject).toBe(
      `Reminder: invoice ${invoice.invoice_number} from ar@initech.example is due on ${invoice.due_date.slice(0, 10)}`,
    );
    expect(reminder?.text).toContain(invoice.public_invoice_url);
    const sent = await eventually(async () => {
      const email = (await emailsOf()).find((candidate: { id: string }) => candidate.id === before.id);
      expect(email.status).toBe('succeeded');
      return email;
    });
    expect(sent.attempts).toHaveLength(1);
    expect((await emailsOf()).find((email: { id: string }) => email.id === overdue.id).attempts).toEqual([]);

    // Retried by request: sent once more, whatever its status; a stranger does not find it.
    const retryPath = `/v1/invoices/${invoice.id}/emails/${before.id}/retry`;
    expect((await globex.test.post(retryPath)).status).toBe(404);
    expect((await client.post(`/v1/invoices/${invoice.id}/emails/em${'0'.repeat(24)}/retry`)).status).toBe(404);
    const retried = await client.post(retryPath);
    expect(retried.status).toBe(200);
    expect(retried.body.email).toMatchObject({ id: before.id, status: 'pending', kind: 'reminder_before_due' });
    await eventually(() => expect(mailTo('late@initech.example')).toHaveLength(2), {
      label: 'sent again by request',
      timeout: 30_000,
    });
    await eventually(async () => {
      const email = (await emailsOf()).find((candidate: { id: string }) => candidate.id === before.id);
      expect(email).toMatchObject({ status: 'succeeded', attempts: [expect.anything(), expect.anything()] });
    });
  }, 120_000);
});
