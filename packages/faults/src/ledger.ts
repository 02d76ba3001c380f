import { type AnswerTally, emptyTally } from './resilientCaller';

/** One organization of the run, with the customers its usage names. */
export interface Tenant {
  organizationId: string;
  liveKey: string;
  testKey: string;
  customerIds: string[];
}

/** What the run sent and what Afternoon confirmed, per organization: the other side of every check. */
export interface TenantLedger {
  /** Every idempotency key sent with good content (one content per key, resent unchanged). */
  sent: Map<string, { customerId: string; units: number }>;
  /** Keys of good records Afternoon confirmed (200 `accepted` or a Kafka acknowledgement). */
  acceptedKeys: Set<string>;
  /** Confirmed records that repeated a key already confirmed. */
  duplicatesAccepted: number;
  /** Confirmed records that metering must refuse, by key, with a word its reason must hold. */
  badAccepted: Map<string, string>;
  /** Customers created: the Idempotency-Key of the create and the id answered. */
  customersCreated: Map<string, string>;
  /** Invoices whose finalize answered 200, by id, with the number answered. */
  invoicesFinalized: Map<string, string>;
}

export interface RunLedger {
  tenants: Map<string, TenantLedger>;
  tally: AnswerTally;
}

export function emptyRunLedger(tenants: readonly Tenant[]): RunLedger {
  return {
    tenants: new Map(
      tenants.map((tenant) => [
        tenant.organizationId,
        {
          sent: new Map(),
          acceptedKeys: new Set(),
          duplicatesAccepted: 0,
          badAccepted: new Map(),
          customersCreated: new Map(),
          invoicesFinalized: new Map(),
        },
      ]),
    ),
    tally: emptyTally(),
  };
}

export function ledgerOf(run: RunLedger, organizationId: string): TenantLedger {
  const ledger = run.tenants.get(organizationId);
  if (!ledger) throw new Error(`no ledger for ${organizationId}`);
  return ledger;
}
