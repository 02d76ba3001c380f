import pg from 'pg';
import type { BillingBook } from './billingLoad';
import { monthlyFeeCents } from './billingLoad';
import { creditFinding } from './creditBook';
import { ledgerOf, type RunLedger, type Tenant } from './ledger';
import { callUntilAnswered } from './resilientCaller';
import { type WebhookBook, webhookFindings } from './webhookBook';

/** One line of the run's table: what must hold, what was found, and whether it held. */
export interface Finding {
  check: string;
  found: string;
  holds: boolean;
}

/**
 * What the data says once the cluster has settled; the first tenant also carries the billing book, and each tenant
 * its webhook book (in the same order).
 */
export async function dataFindings(
  reader: Reader,
  tenants: readonly Tenant[],
  book: BillingBook,
  webhookBooks: readonly WebhookBook[],
): Promise<Finding[]> {
  const findings = await usageFindings(reader, tenants);
  for (const [index, tenant] of tenants.entries()) {
    findings.push(await numberingFinding(reader, tenant, index, tenant.liveKey, 'live'));
    findings.push(await customersFinding(reader, tenant, index));
    findings.push(await creditFinding(reader, tenant, index));
    findings.push(...(await webhookFindings(reader, tenant, index, webhookBooks[index] as WebhookBook)));
  }
  const billed = tenants[0] as Tenant;
  findings.push(await numberingFinding(reader, billed, 0, billed.testKey, 'test'));
  findings.push(await billingFinding(reader, billed, book));
  return findings;
}

interface Reader {
  baseUrl: string;
  databaseUrl: string;
  ledger: RunLedger;
  /** From before the first usage was sent to after metering drained the ingest topic. */
  window: { from: string; to: string };
}

/** Every accepted event stored once with its content, every bad one rejected with a reason, sums exact. */
async function usageFindings(reader: Reader, tenants: readonly Tenant[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const client = new pg.Client({ connectionString: reader.databaseUrl });
  await client.connect();
  try {
    for (const [index, tenant] of tenants.entries()) {
      const ledger = ledgerOf(reader.ledger, tenant.organizationId);
      const { rows: stored } = await client.query<{ key: string; units: number | null }>(
        `SELECT idempotency_key AS key, (properties->>'units')::int AS units FROM metering.usage_events
          WHERE organization_id = $1 AND mode = 'live'`,
        [tenant.organizationId],
      );
      const { rows: rejected } = await client.query<{ key: string; reason: string }>(
        'SELECT idempotency_key AS key, reason FROM metering.rejected_events WHERE organization_id = $1',
        [tenant.organizationId],
      );
      const storedUnits = new Map(stored.map((row) => [row.key, row.units]));
      const rejectedReasons = new Map(rejected.map((row) => [row.key, row.reason]));
      const lost = [...ledger.acceptedKeys].filter((key) => !storedUnits.has(key));
      const altered = stored.filter((row) => ledger.sent.get(row.key)?.units !== row.units);
      const badRejected = [...ledger.badAccepted].filter(
        ([key, word]) => rejectedReasons.get(key)?.toLowerCase().includes(word) === true,
      ).length;
      const goodRejected = [...rejectedReasons.keys()].filter((key) => ledger.sent.has(key)).length;
      const accepted = ledger.acceptedKeys.size + ledger.duplicatesAccepted + ledger.badAccepted.size;
      const accounted = ledger.acceptedKeys.size - lost.length + ledger.duplicatesAccepted + badRejected;
      findings.push({
        check: `org ${index}: accepted = stored + duplicates + rejected`,
        found:
          `${accepted} = ${ledger.acceptedKeys.size - lost.length} + ${ledger.duplicatesAccepted} + ${badRejected}; ` +
          `lost ${lost.length}, altered ${altered.length}, good rejected ${goodRejected}, ` +
          `stored unconfirmed ${stored.length - (ledger.acceptedKeys.size - lost.length)}`,
        holds: accepted === accounted && lost.length === 0 && altered.length === 0 && goodRejected === 0,
      });
      findings.push(await sumsFinding(reader, tenant, index, stored));
      findings.push(
        await summaryFinding(reader, tenant, index, { stored: stored.length, rejected: rejected.length, accepted }),
      );
    }
  } finally {
    await client.end();
  }
  return findings;
}

/** What metering answers per customer equals the units of the events stored for it: nothing counted twice. */
async function sumsFinding(
  reader: Reader,
  tenant: Tenant,
  index: number,
  stored: ReadonlyArray<{ key: string; units: number | null }>,
): Promise<Finding> {
  const ledger = ledgerOf(reader.ledger, tenant.organizationId);
  const expected = new Map<string, number>();
  for (const row of stored) {
    const customerId = ledger.sent.get(row.key)?.customerId;
    if (customerId) expected.set(customerId, (expected.get(customerId) ?? 0) + (row.units ?? 0));
  }
  const wrong: string[] = [];
  for (const customerId of tenant.customerIds) {
    const answer = await get(reader, tenant.liveKey, `/v1/customers/${customerId}/usage?event_name=faults.call`);
    const sum = Number(answer?.usage?.sums?.units ?? 0);
    if (sum !== (expected.get(customerId) ?? 0)) wrong.push(`${customerId}: ${sum} ≠ ${expected.get(customerId) ?? 0}`);
  }
  return {
    check: `org ${index}: usage sums per customer exact`,
    found: wrong.length === 0 ? `${tenant.customerIds.length} customers exact` : wrong.slice(0, 3).join('; '),
    holds: wrong.length === 0,
  };
}

/**
 * What Afternoon itself reports in `GET /v1/events/summary` agrees with the store and with what was sent: its
 * received adds up, it is complete, it stored and rejected what the store holds, and it received at least every
 * record the run had confirmed (more when a send that failed had in fact landed and was resent).
 */
async function summaryFinding(
  reader: Reader,
  tenant: Tenant,
  index: number,
  counted: { stored: number; rejected: number; accepted: number },
): Promise<Finding> {
  const query = `from=${encodeURIComponent(reader.window.from)}&to=${encodeURIComponent(reader.window.to)}`;
  const { summary } = await get(reader, tenant.liveKey, `/v1/events/summary?${query}`);
  const addsUp = summary.received === summary.stored + summary.duplicates + summary.rejected.total;
  return {
    check: `org ${index}: /v1/events/summary adds up and matches`,
    found:
      `received ${summary.received} = ${summary.stored} stored + ${summary.duplicates} duplicates + ` +
      `${summary.rejected.total} rejected; complete ${summary.complete}; store holds ${counted.stored} + ${counted.rejected}`,
    holds:
      addsUp &&
      summary.complete === true &&
      summary.stored === counted.stored &&
      summary.rejected.total === counted.rejected &&
      summary.received >= counted.accepted,
  };
}

/** Finalized invoices numbered INV-0001…N without gap or repeat, each as its finalize answered. */
async function numberingFinding(
  reader: Reader,
  tenant: Tenant,
  index: number,
  apiKey: string,
  mode: string,
): Promise<Finding> {
  const invoices = await listInvoices(reader, apiKey);
  const numbers = invoices
    .map((invoice) => invoice.invoice_number)
    .filter((number): number is string => !!number)
    .sort();
  const gapless = numbers.every((number, at) => number === `INV-${String(at + 1).padStart(4, '0')}`);
  const ledger = ledgerOf(reader.ledger, tenant.organizationId);
  const byId = new Map(invoices.map((invoice) => [invoice.id, invoice.invoice_number]));
  const differing =
    mode === 'live' ? [...ledger.invoicesFinalized].filter(([id, number]) => byId.get(id) !== number).length : 0;
  return {
    check: `org ${index} ${mode}: invoice numbers gapless and unique`,
    found: `${numbers.length} numbered${numbers.length ? ` (${numbers[0]}…${numbers.at(-1)})` : ''}, ${differing} differ from their finalize answer`,
    holds: gapless && differing === 0,
  };
}

/** Every subscription billed once at its start and once per month end passed, each for the monthly fee. */
async function billingFinding(reader: Reader, tenant: Tenant, book: BillingBook): Promise<Finding> {
  const expectedCount = 1 + book.monthEndsPassed;
  const wrong: string[] = [];
  for (const subscriptionId of book.subscriptionIds) {
    const invoices = await listInvoices(reader, tenant.testKey, `subscription_id=${subscriptionId}&`);
    const totalsRight = invoices.every((invoice) => invoice.total_cents === monthlyFeeCents);
    if (invoices.length !== expectedCount || !totalsRight) wrong.push(`${subscriptionId}: ${invoices.length} invoices`);
  }
  return {
    check: 'every subscription boundary billed exactly once, right total',
    found: `${book.subscriptionIds.length} subscriptions × ${expectedCount} boundaries; ${wrong.length} wrong ${wrong.slice(0, 2).join('; ')}`,
    holds: wrong.length === 0,
  };
}

/** Each customer create (by its Idempotency-Key, which is also its external id) made exactly one customer. */
async function customersFinding(reader: Reader, tenant: Tenant, index: number): Promise<Finding> {
  const ledger = ledgerOf(reader.ledger, tenant.organizationId);
  let wrong = 0;
  for (const [key, id] of ledger.customersCreated) {
    const answer = await get(reader, tenant.liveKey, `/v1/customers?external_id=${encodeURIComponent(key)}`);
    const found: Array<{ id: string }> = answer?.customers ?? [];
    if (found.length !== 1 || found[0]?.id !== id) wrong += 1;
  }
  return {
    check: `org ${index}: every customer created exactly once`,
    found: `${ledger.customersCreated.size} created, ${wrong} missing or doubled`,
    holds: wrong === 0,
  };
}

interface ListedInvoice {
  id: string;
  invoice_number: string | null;
  total_cents: number;
}

/** Every invoice the key sees (narrowed by `filter`, `name=value&`), a page of 100 at a time. */
async function listInvoices(reader: Reader, apiKey: string, filter = ''): Promise<ListedInvoice[]> {
  const invoices: ListedInvoice[] = [];
  let cursor: string | undefined;
  do {
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await get(reader, apiKey, `/v1/invoices?${filter}limit=100${after}`);
    invoices.push(...(page?.invoices ?? []));
    cursor = page?.pagination?.has_more ? page.pagination.next_cursor : undefined;
  } while (cursor);
  return invoices;
}

// biome-ignore lint/suspicious/noExplicitAny: the run reads whatever the gateway sent
async function get(reader: Reader, apiKey: string, path: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  const answer = await callUntilAnswered({
    baseUrl: reader.baseUrl,
    apiKey,
    method: 'GET',
    path,
    giveUpAt: () => deadline,
    tally: reader.ledger.tally,
  });
  if (answer?.status !== 200) throw new Error(`GET ${path} answered ${answer?.status ?? 'nothing'}`);
  return answer.body;
}
