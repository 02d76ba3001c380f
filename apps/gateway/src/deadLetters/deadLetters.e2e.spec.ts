import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { newResourceId } from '@afternoon/service-kit';
import { type CollectedMessage, collectTopic, commandRecord, eventually, produce, testInfra } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const run = promisify(execFile);
const gatewayDir = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));

const details = {
  name: 'Replayed Corp',
  first_name: null,
  last_name: null,
  email: null,
  phone: null,
  url: null,
  external_id: null,
  billing_address: null,
  shipping_address: null,
  metadata: {},
};

describe('dead letters: listed by the admin API and the CLI, replayed once their cause is fixed', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let replies: { messages: CollectedMessage[]; stop(): Promise<void> };
  let commands: { messages: CollectedMessage[]; stop(): Promise<void> };
  const customerId = newResourceId();
  let goodId: string;
  let badId: string;
  let commandId: string;

  const topic = (spec: { name: string }) => `${cluster.topicPrefix}${spec.name}`;
  const cliOutput = async (...args: string[]) => {
    const { stdout } = await run(tsx, ['src/cli.ts', 'dead-letters', ...args], {
      cwd: gatewayDir,
      env: {
        ...process.env,
        DATABASE_URL: testInfra().databaseUrl,
        DB_SCHEMA: cluster.schemas.gateway,
        KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
        TOPIC_PREFIX: cluster.topicPrefix,
      },
    });
    return stdout;
  };
  const cli = async (...args: string[]) => JSON.parse(await cliOutput(...args));
  const repliesTo = (id: string) =>
    replies.messages.map((message) => JSON.parse(message.value ?? '{}')).filter((reply) => reply.command_id === id);
  const customersNamedReplayed = async () => {
    const listed = await acme.live.get('/v1/customers?limit=100');
    return listed.body.customers.filter((customer: { id: string }) => customer.id === customerId);
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    replies = await collectTopic(topic(Topics.gatewayReplies));
    commands = await collectTopic(topic(Topics.customerCommands));

    // Dead-lettered for real: customer-service cannot read this record as a command.
    await produce(topic(Topics.customerCommands), [{ key: 'garbage', value: 'not a command' }]);
    // Dead-lettered the way the kit does it, for a cause since fixed: a good command, so its replay succeeds.
    const good = commandRecord({ organizationId: acme.id, mode: 'live' }, customerId, 'CreateCustomer', {
      customer_id: customerId,
      details,
      test_clock: null,
    });
    commandId = JSON.parse(good.value).metadata.command_id;
    await produce(topic(Topics.customerCommandsDeadLetter), [
      {
        ...good,
        headers: {
          [Headers.commandId]: commandId,
          [Headers.organizationId]: acme.id,
          [Headers.mode]: 'live',
          [Headers.deadLetterReason]: 'database unavailable',
          [Headers.deadLetterReasonCode]: 'database_unavailable',
          [Headers.deadLetterSource]: `${topic(Topics.customerCommands)}/0/41`,
        },
      },
    ]);
  });
  afterAll(async () => {
    await replies?.stop();
    await commands?.stop();
    await cluster?.stop();
  });

  it('lists both through the admin API, newest first, with their reason, source and tenant', async () => {
    const listed = await eventually(
      async () => {
        const response = await cluster.admin.get('/v1/admin/dead_letters');
        expect(response.status).toBe(200);
        expect(response.body.dead_letters).toHaveLength(2);
        return response.body.dead_letters;
      },
      { timeout: 30_000, interval: 500, label: 'the garbage record dead-lettered by customer-service' },
    );
    const byReason = (reason: RegExp) => listed.find((letter: { reason: string }) => reason.test(letter.reason));
    const bad = byReason(/invalid command record/);
    const good = byReason(/database unavailable/);
    expect(bad).toMatchObject({
      id: expect.stringMatching(/^customer\.commands\.dlq\/0\/\d+$/),
      topic: 'customer.commands.dlq',
      source: expect.stringMatching(new RegExp(`^${topic(Topics.customerCommands).replaceAll('.', '\\.')}/\\d+/0$`)),
      organization_id: null,
      key: 'garbage',
      value: 'not a command',
      value_truncated: false,
      replayed_at: null,
      replays: 0,
    });
    expect(good).toMatchObject({
      topic: 'customer.commands.dlq',
      source: `${topic(Topics.customerCommands)}/0/41`,
      organization_id: acme.id,
      mode: 'live',
      type: 'CreateCustomer',
      key: customerId,
      replayed_at: null,
    });
    goodId = good.id;
    badId = bad.id;
    expect(listed.map((letter: { id: string }) => letter.id)).toEqual(
      [...listed].sort((a, b) => b.dead_lettered_at.localeCompare(a.dead_lettered_at)).map((letter) => letter.id),
    );

    const first = await cluster.admin.get('/v1/admin/dead_letters?topic=customer.commands.dlq&limit=1');
    expect(first.body.pagination.has_more).toBe(true);
    const second = await cluster.admin.get(
      `/v1/admin/dead_letters?topic=customer.commands.dlq&limit=1&cursor=${first.body.pagination.next_cursor}`,
    );
    expect([...first.body.dead_letters, ...second.body.dead_letters]).toEqual(listed);
    expect(second.body.pagination).toEqual({ has_more: false, next_cursor: null });

    const ofAcme = await cluster.admin.get(`/v1/admin/dead_letters?organization_id=${acme.id}`);
    expect(ofAcme.body.dead_letters.map((letter: { id: string }) => letter.id)).toEqual([goodId]);
    expect((await cluster.admin.get('/v1/admin/dead_letters?topic=usage.ingest.dlq')).body.dead_letters).toEqual([]);
  });

  it('refuses callers without the admin token, and unknown topics', async () => {
    expect((await cluster.anonymous.get('/v1/admin/dead_letters')).status).toBe(401);
    expect((await acme.live.get('/v1/admin/dead_letters')).status).toBe(401);
    const unknown = await cluster.admin.get('/v1/admin/dead_letters?topic=customer.commands');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.param).toBe('topic');
  });

  it('lists them with the CLI, as a table and as JSON', async () => {
    const table = await cliOutput('list');
    expect(table).toMatch(
      new RegExp(`${goodId.replaceAll('.', '\\.')} .* CreateCustomer +not replayed +database unavailable`),
    );
    expect(table).toContain(badId);
    const json = await cli('list', '--org', acme.id, '--json');
    expect(json.dead_letters.map((letter: { id: string }) => letter.id)).toEqual([goodId]);
  });

  it('replays a fixed command once: its effect happens once, a second --all sends nothing, --force is harmless', async () => {
    const replayed = await cli('replay', '--all', '--topic', 'customer.commands.dlq', '--org', acme.id);
    expect(replayed).toEqual({ replayed: [{ id: goodId, to: 'customer.commands' }], skipped: [] });
    await eventually(async () => expect(await customersNamedReplayed()).toHaveLength(1), {
      timeout: 30_000,
      label: 'the replayed CreateCustomer handled',
    });

    const again = await cli('replay', '--all', '--topic', 'customer.commands.dlq', '--org', acme.id);
    expect(again.replayed).toEqual([]);
    expect(again.skipped).toEqual([{ id: goodId, reason: expect.stringMatching(/^already replayed at /) }]);

    const forced = await cli('replay', '--id', goodId, '--force');
    expect(forced.replayed).toEqual([{ id: goodId, to: 'customer.commands' }]);
    // Each delivery of the command is answered; the second with the first's answer, not a conflict.
    await eventually(() => expect(repliesTo(commandId)).toHaveLength(2), { timeout: 30_000, label: 'two replies' });
    const [firstReply, secondReply] = repliesTo(commandId);
    expect(firstReply.ok).toBe(true);
    expect(secondReply).toEqual(firstReply);
    expect(await customersNamedReplayed()).toHaveLength(1);

    // Sent back as it was, without the dead-letter headers, naming the dead letter it came from.
    const resent = await eventually(() => {
      const replayed = commands.messages.filter((message) => message.headers[Headers.replayedFrom] === goodId);
      expect(replayed).toHaveLength(2);
      return replayed;
    });
    for (const message of resent) {
      expect(message.key).toBe(customerId);
      expect(message.headers[Headers.commandId]).toBe(commandId);
      expect(message.headers[Headers.deadLetterReason]).toBeUndefined();
      expect(message.headers[Headers.deadLetterReasonCode]).toBeUndefined();
      expect(message.headers[Headers.deadLetterSource]).toBeUndefined();
    }

    const letters = (await cli('list', '--json')).dead_letters;
    expect(letters.find((letter: { id: string }) => letter.id === goodId)).toMatchObject({
      replays: 2,
      replayed_at: expect.any(String),
    });
    expect(letters.find((letter: { id: string }) => letter.id === badId).replayed_at).toBeNull();
  });

  it('fails with a message for an id that names no dead letter', async () => {
    await expect(cli('replay', '--id', 'customer.commands.dlq/0/999999')).rejects.toThrow(/no such dead letter/);
    await expect(cli('replay', '--id', 'nonsense')).rejects.toThrow(/not a dead letter id/);
  });
});
