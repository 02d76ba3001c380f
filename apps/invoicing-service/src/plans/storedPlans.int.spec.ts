import { Topics } from '@afternoon/contracts/topics';
import {
  appendToStream,
  newResourceId,
  type RunningService,
  rebuildProjections,
  type Tenant,
  withTransaction,
} from '@afternoon/service-kit';
import {
  collectTopic,
  commandRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInvoicingService } from '../app';
import { plansProjection } from './getPlans';

// 10^13 minor units: past today's 10^12 bound on a price (ADR 0004), taken in before that bound existed.
const oldAmount = 1e13;
const code = 'before_bounds';

describe('a plan stored before the price bounds', () => {
  const schema = uniqueName('invoicing_stored_plans');
  const topicPrefix = `${uniqueName('stored')}.`;
  const tenant: Tenant = { organizationId: uniqueName('org_stored'), mode: 'live' };
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await startInvoicingService(serviceEnv(schema, topicPrefix));
    replies = await collectTopic(`${topicPrefix}${Topics.gatewayReplies.name}`);
  });
  afterAll(async () => {
    await replies.stop();
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const send = async (type: string, data: unknown) => {
    const record = commandRecord(tenant, code, type, data);
    await produce(`${topicPrefix}${Topics.invoiceCommands.name}`, [record]);
    const commandId = JSON.parse(record.value).metadata.command_id;
    return eventually(() => {
      const reply = replies.messages
        .map((message) => JSON.parse(message.value ?? 'null'))
        .find((candidate) => candidate?.command_id === commandId);
      expect(reply).toBeDefined();
      return reply;
    });
  };

  it('still rebuilds its read model, and takes commands, instead of failing on every read', async () => {
    const definition = {
      code,
      name: 'Before bounds',
      currency: 'usd',
      interval: 'month',
      prices: [
        { id: newResourceId(), model: 'flat', description: 'Fee', amount_cents: oldAmount, timing: 'in_advance' },
        {
          id: newResourceId(),
          model: 'per_unit',
          description: 'Calls',
          meter_code: 'calls',
          unit_amount: '5000000000000',
        },
      ],
      minimum_amount_cents: oldAmount,
    };
    const createdAt = '2025-06-01T00:00:00.000Z';
    await withTransaction(service.pool, (tx) =>
      appendToStream(
        tx,
        `plan-${tenant.organizationId}-${tenant.mode}-${code}`,
        0,
        [{ type: 'PlanCreated', data: { plan_id: newResourceId(), definition, created_at: createdAt } }],
        {
          organization_id: tenant.organizationId,
          mode: tenant.mode,
          occurred_at: createdAt,
          correlation_id: 'req_before_bounds',
          causation_id: 'cmd_before_bounds',
        },
      ),
    );

    await rebuildProjections(service.pool, [plansProjection]);
    const { rows } = await service.pool.query('SELECT version, status FROM plans WHERE code = $1', [code]);
    expect(rows).toEqual([{ version: 1, status: 'active' }]);

    const renamed = await send('RevisePlan', { code, changes: { name: 'Renamed' } });
    expect(renamed).toMatchObject({
      ok: true,
      result: {
        version: 2,
        name: 'Renamed',
        minimum_amount_cents: oldAmount,
        prices: [{ amount_cents: oldAmount }, {}],
      },
    });
    // A new price past the bound is still refused: only what was stored reads without it.
    const raised = await send('RevisePlan', {
      code,
      changes: { prices: [{ ...definition.prices[0], amount_cents: oldAmount + 1 }] },
    });
    expect(raised).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await send('ArchivePlan', { code })).toMatchObject({ ok: true, result: { status: 'archived' } });
  });
});
