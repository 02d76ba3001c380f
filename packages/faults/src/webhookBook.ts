import { setTimeout as delay } from 'node:timers/promises';
import type { FaultCluster } from './faultCluster';
import { ledgerOf, type RunLedger, type Tenant } from './ledger';
import { callUntilAnswered } from './resilientCaller';
import type { SeededRandom } from './seededRandom';
import { postCreated } from './tenants';
import type { Finding } from './verdict';
import { startFlakyReceiver, type WebhookReceiver } from './webhookReceiver';

/** What the load makes that a receiver is told of: every customer it creates, every invoice it finalizes. */
const webhookTypes = ['customer.created', 'invoice.finalized'] as const;
/**
 * After the load: a first attempt that failed is retried 5 s later (timeout included, ~7 s), a send cut short by
 * the kill goes again once its 30 s lease passes, and the endpoint's backlog drains two requests at a time.
 */
const deliveryDeadlineMs = 180_000;

/** A tenant's receiver and the live endpoint that sends it the load's events. */
export interface WebhookBook {
  receiver: WebhookReceiver;
  endpointId: string;
}

/** Starts the tenant's flaky receiver and registers it, before anything it is to be told of exists. */
export async function openWebhookBook(
  cluster: FaultCluster,
  tenant: Tenant,
  random: SeededRandom,
): Promise<WebhookBook> {
  const receiver = await startFlakyReceiver(random);
  try {
    const { webhook_endpoint: endpoint } = await postCreated(cluster.baseUrl, tenant.liveKey, '/v1/webhook_endpoints', {
      url: receiver.url,
      enabled_events: webhookTypes,
      description: 'Faults run receiver',
    });
    receiver.trust(endpoint.secret);
    return { receiver, endpointId: endpoint.id };
  } catch (error) {
    await receiver.close();
    throw error;
  }
}

interface LoggedEvent {
  id: string;
  type: string;
  data: { id: string };
}

/**
 * Every event the events log lists for the tenant was received at least once, signed, under its own `webhook-id`
 * (waited for up to the deadline); every customer the load created and invoice it finalized is in the log once.
 */
export async function webhookFindings(
  reader: { baseUrl: string; ledger: RunLedger },
  tenant: Tenant,
  index: number,
  book: WebhookBook,
): Promise<Finding[]> {
  const deadline = Date.now() + deliveryDeadlineMs;
  const { byId, forged } = book.receiver;
  let logged: LoggedEvent[] = [];
  let undelivered: LoggedEvent[] = [];
  do {
    logged = await eventsLog(reader, tenant);
    undelivered = logged.filter((event) => byId.get(event.id)?.accepted !== true);
    if (undelivered.length === 0) break;
    await delay(1_000);
  } while (Date.now() < deadline);
  const received = [...byId.values()];
  const resent = received.reduce((sum, event) => sum + event.afterAccepted, 0);
  const retried = received.reduce((sum, event) => sum + event.requests - 1 - event.afterAccepted, 0);
  const loggedIds = new Set(logged.map((event) => event.id));
  const unlogged = [...byId.keys()].filter((id) => !loggedIds.has(id)).length;
  return [
    {
      check: `org ${index}: every logged webhook received, signed`,
      found:
        `${logged.length} events, ${logged.length - undelivered.length} received` +
        `${undelivered.length ? ` (missing ${undelivered.slice(0, 2).map((event) => event.id)})` : ''}; ` +
        `${retried} retries after a 500 or timeout, ${resent} duplicates received; ` +
        `${forged.length} unverified, ${unlogged} not in the log`,
      holds: undelivered.length === 0 && forged.length === 0 && unlogged === 0,
    },
    loggedOnceFinding(reader.ledger, tenant, index, logged),
  ];
}

/** The load's customers and finalized invoices each appear once in the events log under their type. */
function loggedOnceFinding(ledger: RunLedger, tenant: Tenant, index: number, logged: readonly LoggedEvent[]): Finding {
  const { customersCreated, invoicesFinalized } = ledgerOf(ledger, tenant.organizationId);
  const timesLogged = (type: string) => {
    const times = new Map<string, number>();
    for (const event of logged) if (event.type === type) times.set(event.data.id, (times.get(event.data.id) ?? 0) + 1);
    return times;
  };
  const customers = timesLogged('customer.created');
  const invoices = timesLogged('invoice.finalized');
  const wrong = (expected: Iterable<string>, times: Map<string, number>) =>
    [...expected].filter((id) => times.get(id) !== 1).length;
  const doubled = [...customers.values(), ...invoices.values()].filter((times) => times > 1).length;
  const wrongCustomers = wrong(customersCreated.values(), customers);
  const wrongInvoices = wrong(invoicesFinalized.keys(), invoices);
  return {
    check: `org ${index}: created and finalized logged once`,
    found:
      `${customersCreated.size} customers, ${invoicesFinalized.size} invoices; ` +
      `${wrongCustomers + wrongInvoices} missing or doubled, ${doubled} subjects logged twice`,
    holds: wrongCustomers === 0 && wrongInvoices === 0 && doubled === 0,
  };
}

/** The tenant's live events of the load's types, every page of 100. */
async function eventsLog(reader: { baseUrl: string; ledger: RunLedger }, tenant: Tenant): Promise<LoggedEvent[]> {
  const deadline = Date.now() + 60_000;
  const events: LoggedEvent[] = [];
  for (const type of webhookTypes) {
    let cursor: string | undefined;
    do {
      const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const path = `/v1/events_log?type=${type}&limit=100${after}`;
      const answer = await callUntilAnswered({
        baseUrl: reader.baseUrl,
        apiKey: tenant.liveKey,
        method: 'GET',
        path,
        giveUpAt: () => deadline,
        tally: reader.ledger.tally,
      });
      if (answer?.status !== 200) throw new Error(`GET ${path} answered ${answer?.status ?? 'nothing'}`);
      events.push(...answer.body.events);
      cursor = answer.body.pagination.has_more ? answer.body.pagination.next_cursor : undefined;
    } while (cursor);
  }
  return events;
}
