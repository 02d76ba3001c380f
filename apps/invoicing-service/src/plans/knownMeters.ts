import type { FieldProblem } from '@afternoon/contracts/common';
import { MeterEvent, type MeterStatus, meterEventWireNames } from '@afternoon/contracts/meters';
import type { Price } from '@afternoon/contracts/plans';
import { Topics } from '@afternoon/contracts/topics';
import {
  type CommandContext,
  fieldPath,
  foreignProjection,
  type Tenant,
  type Transaction,
  ValidationError,
} from '@afternoon/service-kit';

/** Keeps `known_meters` in step with `meter.events`; each row remembers its stream version, so replays change nothing. */
export const metersConsumer = foreignProjection({
  name: 'meters',
  topic: Topics.meterEvents,
  deadLetterTopic: Topics.consumerDeadLetter,
  schema: MeterEvent,
  wireNames: meterEventWireNames,
  handlers: {
    async MeterCreated(tx, event, { metadata, version }) {
      await tx.query(
        `INSERT INTO known_meters (id, organization_id, mode, code, status, version)
         VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT (id) DO NOTHING`,
        [event.data.meter_id, metadata.organization_id, metadata.mode, event.data.definition.code, version],
      );
    },
    async MeterUpdated() {},
    async MeterArchived(tx, event, { metadata, version }) {
      await tx.query(
        `UPDATE known_meters SET status = 'archived', version = $3
          WHERE id = $1 AND organization_id = $2 AND version < $3`,
        [event.data.meter_id, metadata.organization_id, version],
      );
    },
  },
});

/** How long a plan command waits for `meter.events` to catch up before it judges the meters its prices bill. */
const meterCatchUpMs = 5_000;

/**
 * Refuses prices that bill a meter the tenant does not have, or has archived, naming each such price's field. It
 * catches up with `meter.events` first, so a meter created or archived by the previous request is seen.
 */
export async function checkMeterReferences(
  tx: Transaction,
  tenant: Tenant,
  prices: readonly Price[],
  context: CommandContext,
): Promise<void> {
  const codes = [...new Set(prices.flatMap((price) => (price.model === 'flat' ? [] : [price.meter_code])))];
  if (codes.length === 0) return;
  await context.catchUp(metersConsumer.name, Topics.meterEvents, meterCatchUpMs);
  const { rows } = await tx.query<{ code: string; status: MeterStatus }>(
    'SELECT code, status FROM known_meters WHERE code = ANY($1::text[]) AND organization_id = $2 AND mode = $3',
    [codes, tenant.organizationId, tenant.mode],
  );
  const statusOf = new Map(rows.map((row) => [row.code, row.status]));
  const problems: FieldProblem[] = [];
  prices.forEach((price, index) => {
    if (price.model === 'flat') return;
    const status = statusOf.get(price.meter_code);
    const param = fieldPath(['prices', index, 'meter_code']);
    if (!status) problems.push({ param, message: `no such meter: '${price.meter_code}'` });
    else if (status !== 'active') problems.push({ param, message: `meter '${price.meter_code}' is archived` });
  });
  if (problems.length > 0) throw ValidationError.of(problems);
}
