import type { CustomerScope } from '@afternoon/contracts/customers';
import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import { Topics } from '@afternoon/contracts/topics';
import {
  type ForeignEvent,
  foreignProjection,
  type Queryable,
  type RouteDeps,
  type ServiceContext,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';

/** Keeps `known_customers` in step with `customer.events`; each row remembers its stream version, so replays change nothing. */
export const customersConsumer = foreignProjection({
  name: 'customers',
  topic: Topics.customerEvents,
  deadLetterTopic: Topics.consumerDeadLetter,
  schema: CustomerEvent,
  wireNames: customerEventWireNames,
  handlers: {
    CustomerCreated: (tx, event, source) => insertKnownCustomers(tx, [{ event, source }]),
    // Metering keeps no customer details: a change is nothing to it.
    CustomerUpdated: async () => undefined,
    async CustomerDeleted(tx, event, { metadata, version, record }) {
      // When the topic received the deletion (its append time), the clock usage is judged by as well: an event
      // appended before it was sent while the customer existed, on every replay.
      await tx.query(
        `UPDATE known_customers SET deleted_at = to_timestamp($3::bigint / 1000.0), version = $4
          WHERE id = $1 AND organization_id = $2 AND version < $4`,
        [event.data.customer_id, metadata.organization_id, record.timestamp, version],
      );
    },
  },
  runHandlers: { CustomerCreated: insertKnownCustomers },
  // Usage waits on it through `processedThroughWaiter` and `catchUpCustomers`, which wake it.
  gathersRecords: true,
});

/** A run of creations in one statement. */
async function insertKnownCustomers(
  tx: Transaction,
  created: readonly ForeignEvent<Extract<CustomerEvent, { type: 'CustomerCreated' }>>[],
): Promise<void> {
  await tx.query(
    `INSERT INTO known_customers (id, organization_id, mode, version)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
     ON CONFLICT (id) DO NOTHING`,
    [
      created.map(({ event }) => event.data.customer_id),
      created.map(({ source }) => source.metadata.organization_id),
      created.map(({ source }) => source.metadata.mode),
      created.map(({ source }) => source.version),
    ],
  );
}

/** Which of `ids` are this tenant's customers in `scope`, as far as metering has heard. */
export async function knownCustomerIds(
  db: Queryable,
  tenant: Tenant,
  ids: readonly string[],
  scope: CustomerScope,
): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM known_customers
      WHERE id = ANY($1::text[]) AND organization_id = $2 AND mode = $3 AND (deleted_at IS NULL OR $4)`,
    [ids, tenant.organizationId, tenant.mode, scope === 'ever'],
  );
  return new Set(rows.map((row) => row.id));
}

/** How long metering waits for `customer.events` to catch up before it calls a customer unknown. */
export const customersCatchUpMs = 5_000;

/** Catches `known_customers` up to the end of `customer.events`; false when it could not in time. */
export function catchUpCustomers(context: Pick<ServiceContext, 'catchUp'>): () => Promise<boolean> {
  return () => context.catchUp(customersConsumer.name, Topics.customerEvents, customersCatchUpMs);
}

/**
 * Which of `ids` are customers of this tenant in `scope`; when some are not, catches the projection up to the end
 * of the customer topic and looks again, since a customer created a moment ago may not have reached metering yet.
 */
export function knownCustomersCatchingUp(
  deps: Pick<RouteDeps, 'pool' | 'catchUp'>,
): (tenant: Tenant, ids: string[], scope: CustomerScope) => Promise<Set<string>> {
  return async (tenant, ids, scope) => {
    const known = await knownCustomerIds(deps.pool, tenant, ids, scope);
    if (ids.every((id) => known.has(id)) || !(await catchUpCustomers(deps)())) return known;
    return knownCustomerIds(deps.pool, tenant, ids, scope);
  };
}
