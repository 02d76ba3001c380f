import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrate, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../app';
import { listWebhookEvents } from './getEventsLog';
import { loadSubjects, subjectName } from './subjects/subjectStore';
import { webhookEvent } from './toWebhookEvents';
import { webhookEventId } from './webhookEventId';

describe('migration 007: events recorded as jsonb keep working as text', () => {
  const schema = uniqueName('notifications_bodies');
  const pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'exact-bodies-spec', max: 2 });
  const tenant: Tenant = { organizationId: uniqueName('org_bodies'), mode: 'test' };
  const event = webhookEvent(
    'webhook_endpoint.disabled',
    webhookEventId('before-007', 'webhook_endpoint.disabled'),
    { timestamp: '2026-03-01T00:00:00.000Z', mode: tenant.mode },
    {
      endpoint_id: 'we_before007',
      url: 'https://hooks.example.com/afternoon',
      failing_since: '2026-02-26T00:00:00.000Z',
    },
  );
  const subject = { id: 'cus_before007', name: 'Ada', email: null, deleted_at: null };
  let sentBefore: string;

  beforeAll(async () => {
    // The schema as it stood before 007, holding an event and a subject, then the migrations up to now.
    const before = await mkdtemp(join(tmpdir(), 'notification-migrations-'));
    try {
      for (const file of (await readdir(migrationsDir)).filter((name) => name < '007'))
        await copyFile(join(migrationsDir, file), join(before, file));
      await migrate(pool, schema, before);
    } finally {
      await rm(before, { recursive: true });
    }
    await pool.query(
      `INSERT INTO webhook_events (id, organization_id, mode, type, version, occurred_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [event.id, tenant.organizationId, tenant.mode, event.type, event.version, event.timestamp, JSON.stringify(event)],
    );
    await pool.query(
      `INSERT INTO catalog_subjects (organization_id, mode, kind, id, version, state) VALUES ($1, $2, 'customer', $3, 1, $4)`,
      [tenant.organizationId, tenant.mode, subject.id, JSON.stringify(subject)],
    );
    // What its deliveries were sent so far: the jsonb's text.
    sentBefore = (await pool.query<{ body: string }>('SELECT payload::text AS body FROM webhook_events')).rows[0]!.body;
    await migrate(pool, schema, migrationsDir);
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  it('keeps the text an old event was sent as, and shows it in the events log', async () => {
    const { rows } = await pool.query<{ body: string }>('SELECT body FROM webhook_events WHERE id = $1', [event.id]);
    expect(rows[0]!.body).toBe(sentBefore);
    expect(JSON.parse(rows[0]!.body)).toEqual(event);
    const log = await listWebhookEvents(pool, tenant, { limit: 10 });
    expect(log.events).toEqual([event]);
  });

  it('keeps the subjects folded before', async () => {
    const stored = await pool.connect();
    try {
      const customer = { tenant, key: { kind: 'customer' as const, id: subject.id } };
      expect((await loadSubjects(stored, [customer])).get(subjectName(customer))).toEqual({
        version: 1,
        state: subject,
      });
    } finally {
      stored.release();
    }
  });
});
