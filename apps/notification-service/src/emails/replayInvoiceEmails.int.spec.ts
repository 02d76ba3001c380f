import { randomBytes, randomUUID } from 'node:crypto';
import type { InvoiceEmail, InvoiceEmailKind, ReplayInvoiceEmails } from '@afternoon/contracts/invoiceEmails';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { type RunningService, withTransaction } from '@afternoon/service-kit';
import { collectTopic, eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalGet, newTenant, type TestTenant } from '../deliveries/deliveries.testing';
import { emailDeliveryStream, emailIdOf } from './emailDelivery';
import { recordEmailEvents } from './emailEvents';
import { finalizedInvoice } from './invoiceEmails.testing';
import { isolatedEmailsService } from './isolatedEmailsService.testing';
import { emailReplayStream } from './replayInvoiceEmails';

describe('a replay of a window of invoice emails, on real Kafka and Postgres, without an SMTP server', () => {
  const emails = isolatedEmailsService('emailreplay');
  const { clock, topicPrefix } = emails;
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await emails.start();
    replies = await collectTopic(`${topicPrefix}${Topics.gatewayReplies.name}`);
  });
  afterAll(async () => {
    await replies.stop();
    await emails.stop();
  });

  const at = (minute: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + minute * 60_000);

  /**
   * An email of `kind` first scheduled at `scheduledAt` whose one attempt failed for good: nothing sends it again
   * unless it is retried, so every attempt after the first is the replay's.
   */
  async function failedEmail(tenant: TestTenant, kind: InvoiceEmailKind, scheduledAt: Date) {
    const invoice = { ...finalizedInvoice, id: `i${randomBytes(12).toString('hex')}` };
    const eventId = `evt_${randomBytes(16).toString('hex')}`;
    const emailId = emailIdOf(eventId, kind);
    const scheduled = scheduledAt.toISOString();
    const attempted = new Date(scheduledAt.getTime() + 1_000).toISOString();
    await withTransaction(service.pool, (tx) =>
      recordEmailEvents(
        tx,
        service,
        emailDeliveryStream(emailId),
        0,
        [
          {
            type: 'InvoiceEmailScheduled',
            data: {
              email_id: emailId,
              kind,
              invoice_id: invoice.id,
              to: invoice.customer_email ?? '',
              event_id: eventId,
              invoice,
              due_at: scheduled,
              remind_at: null,
              test_clock_id: null,
              occurred_at: scheduled,
            },
          },
          {
            type: 'InvoiceEmailAttempted',
            data: {
              email_id: emailId,
              attempt: { attempted_at: attempted, latency_ms: 2, smtp_response: null, error: 'smtp: 550' },
              outcome: 'failed',
              next_attempt_at: null,
              occurred_at: attempted,
            },
          },
        ],
        {
          organization_id: tenant.organizationId,
          mode: tenant.mode,
          occurred_at: scheduled,
          correlation_id: eventId,
          causation_id: eventId,
        },
      ),
    );
    return { tenant, invoiceId: invoice.id, emailId };
  }
  type TestEmail = Awaited<ReturnType<typeof failedEmail>>;

  const emailOf = async ({ tenant, invoiceId, emailId }: TestEmail) => {
    const { status, body } = await internalGet(service, `/invoices/${invoiceId}/emails`, tenant);
    expect(status).toBe(200);
    const email = (body.emails as InvoiceEmail[]).find((candidate) => candidate.id === emailId);
    expect(email).toBeDefined();
    return email as InvoiceEmail;
  };
  const retriesOf = async (emails: TestEmail[]) => {
    const { rows } = await service.pool.query<{ stream_id: string; retries: number }>(
      `SELECT stream_id, count(*)::int AS retries FROM events
        WHERE stream_id = ANY($1::text[]) AND type = 'InvoiceEmailRetryRequested' GROUP BY stream_id`,
      [emails.map((email) => emailDeliveryStream(email.emailId))],
    );
    return emails.map(
      (email) => rows.find((row) => row.stream_id === emailDeliveryStream(email.emailId))?.retries ?? 0,
    );
  };

  type ReplaySent = { key: string; record: CommandRecord & ReplayInvoiceEmails };
  /** A `ReplayInvoiceEmails` record as the gateway sends it, keyed by `key` (its replay's id unless told). */
  const replayCommand = (
    tenant: TestTenant,
    data: Omit<ReplayInvoiceEmails['data'], 'replay_id'>,
    key?: string,
  ): ReplaySent => {
    const replayId = `r${randomBytes(12).toString('hex')}`;
    const commandId = `cmd_${randomUUID()}`;
    return {
      key: key ?? replayId,
      record: {
        type: 'ReplayInvoiceEmails',
        data: { replay_id: replayId, ...data },
        metadata: {
          command_id: commandId,
          correlation_id: `req_${commandId}`,
          request_id: `req_${commandId}`,
          organization_id: tenant.organizationId,
          mode: tenant.mode,
          issued_at: clock.now().toISOString(),
        },
      },
    };
  };
  const send = async (command: ReplaySent) => {
    await produce(`${topicPrefix}${Topics.notificationCommands.name}`, [
      { key: command.key, value: JSON.stringify(command.record) },
    ]);
    return eventually(
      () => {
        const reply = replies.messages
          .map((message) => JSON.parse(message.value ?? '{}'))
          .find((candidate) => candidate.command_id === command.record.metadata.command_id);
        expect(reply).toBeDefined();
        return reply as { ok: boolean; result?: { replay: Record<string, unknown> }; error?: { code: string } };
      },
      { timeout: 20_000, label: 'reply to ReplayInvoiceEmails' },
    );
  };

  it("retries the tenant's emails first scheduled in [from, to) of the kinds asked, once however often the command comes", async () => {
    const acme = newTenant('live');
    const inWindow = [await failedEmail(acme, 'invoice', at(0)), await failedEmail(acme, 'receipt', at(30))];
    const left = [
      await failedEmail(acme, 'invoice', at(-1)),
      await failedEmail(acme, 'invoice', at(60)),
      await failedEmail(acme, 'reminder_overdue', at(30)),
      await failedEmail(newTenant('live'), 'invoice', at(30)),
      await failedEmail({ organizationId: acme.organizationId, mode: 'test' }, 'invoice', at(30)),
    ];

    const window = { from: at(0).toISOString(), to: at(60).toISOString() };
    const command = replayCommand(acme, { ...window, kinds: ['invoice', 'receipt'] });
    const reply = await send(command);
    expect(reply).toMatchObject({
      ok: true,
      result: {
        replay: {
          id: command.record.data.replay_id,
          ...window,
          kinds: ['invoice', 'receipt'],
          replayed: 2,
          requested_at: command.record.metadata.issued_at,
        },
      },
    });
    for (const email of inWindow)
      await eventually(
        async () => {
          const replayed = await emailOf(email);
          expect(replayed.attempts).toHaveLength(2);
          expect((replayed.attempts[1]?.attempted_at ?? '') >= command.record.metadata.issued_at).toBe(true);
        },
        { label: `the replayed attempt of ${email.emailId}` },
      );
    // Recorded in the reply's transaction: an email it left is still failed, with its one attempt.
    for (const email of left)
      expect(await emailOf(email)).toMatchObject({ status: 'failed', attempts: [expect.anything()] });
    expect(await retriesOf([...inWindow, ...left])).toEqual([1, 1, 0, 0, 0, 0, 0]);

    // Redelivered (the same command id), then a replay of an empty window behind it on the same partition: once
    // that one is answered, the redelivery was handled, and it recorded nothing.
    await produce(`${topicPrefix}${Topics.notificationCommands.name}`, [
      { key: command.key, value: JSON.stringify(command.record) },
    ]);
    const behind = replayCommand(
      acme,
      { from: at(-600).toISOString(), to: at(-500).toISOString(), kinds: null },
      command.key,
    );
    expect(await send(behind)).toMatchObject({ ok: true, result: { replay: { replayed: 0 } } });
    expect(await retriesOf([...inWindow, ...left])).toEqual([1, 1, 0, 0, 0, 0, 0]);
    const { rows } = await service.pool.query('SELECT type, data FROM events WHERE stream_id = $1', [
      emailReplayStream(command.record.data.replay_id),
    ]);
    expect(rows).toEqual([
      {
        type: 'InvoiceEmailsReplayed',
        data: {
          replay_id: command.record.data.replay_id,
          ...window,
          kinds: ['invoice', 'receipt'],
          replayed: 2,
          occurred_at: command.record.metadata.issued_at,
        },
      },
    ]);
    const answers = replies.messages
      .map((message) => JSON.parse(message.value ?? '{}'))
      .filter((candidate) => candidate.command_id === command.record.metadata.command_id);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    for (const email of inWindow) expect((await emailOf(email)).attempts).toHaveLength(2);
  });

  it('replays every kind without kinds, and another tenant only its own', async () => {
    const acme = newTenant('live');
    const globex = newTenant('live');
    const acmeEmails = [
      await failedEmail(acme, 'invoice', at(0)),
      await failedEmail(acme, 'reminder_before_due', at(1)),
    ];
    const globexEmail = await failedEmail(globex, 'receipt', at(1));
    const window = { from: at(0).toISOString(), to: at(2).toISOString(), kinds: null };

    const ofGlobex = await send(replayCommand(globex, window));
    expect(ofGlobex).toMatchObject({ ok: true, result: { replay: { replayed: 1, kinds: [...allKinds] } } });
    expect(await retriesOf([...acmeEmails, globexEmail])).toEqual([0, 0, 1]);
    await eventually(async () => expect((await emailOf(globexEmail)).attempts).toHaveLength(2), {
      label: "globex's replayed receipt",
    });

    const ofAcme = await send(replayCommand(acme, window));
    expect(ofAcme).toMatchObject({ ok: true, result: { replay: { replayed: 2 } } });
    expect(await retriesOf([...acmeEmails, globexEmail])).toEqual([1, 1, 1]);
  });

  it('answers a replay command with a malformed replay id VALIDATION_ERROR', async () => {
    const tenant = newTenant('live');
    const command = replayCommand(tenant, { from: at(0).toISOString(), to: at(1).toISOString(), kinds: null });
    const refused = await send({
      ...command,
      record: { ...command.record, data: { ...command.record.data, replay_id: 'x' } },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });
});

const allKinds = ['invoice', 'receipt', 'reminder_before_due', 'reminder_overdue'];
