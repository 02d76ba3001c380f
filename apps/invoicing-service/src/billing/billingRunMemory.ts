import type { Logger } from '@afternoon/service-kit';
import type { ChargeProviders } from '../payments/autoCharge/chargeInvoice';
import type { KeyedCommand } from './billingCommands';
import type { BoundaryInvoiceDeps } from './boundaryInvoice';
import type { InvoiceBatches } from './invoiceBatches';
import type { BoundaryInvoiceToRecord, RecordedInvoices } from './recordBoundaryInvoices';

export interface BillingPassDeps extends BoundaryInvoiceDeps {
  /** The grace period for late usage of organizations that did not set their own. */
  defaultGracePeriodMs: number;
  logger: Logger;
  /** The most commands one pass sends; what is left goes in the next pass. */
  maxCommandsPerPass: number;
  /** How long a sent boundary waits for its invoice before it is sent again (doubling with each attempt). */
  boundaryRetryMs: number;
  now(): Date;
  /** Resolves once the command is in invoicing's own commands topic. */
  send(command: KeyedCommand): Promise<void>;
  /** Records boundaries' invoices in one transaction (see `recordBoundaryInvoices`). */
  recordInvoices(invoices: readonly BoundaryInvoiceToRecord[]): Promise<RecordedInvoices>;
  /** Stripe for off-session charges; null where the deployment cannot open Stripe keys (no charges then). */
  charges?: ChargeProviders | null;
}

/** What the run carries from one pass to the next. */
export interface BillingRunMemory {
  /** Boundaries sent (or held back as refused) and not billed yet, by `subscription|boundary`. */
  sent: Map<string, SentBoundary>;
  /** A boundary with nothing to bill (a start without in-advance fees) stays so: its plan version never changes. */
  nothingToBill: Set<string>;
  /** The subscription the last pass sent to last: the next pass starts after it, so none waits on the bound forever. */
  resumeAfter: string | undefined;
  /** Off-session charges whose outcome was sent, by idempotency key: when to make them again if still due. */
  chargesSent: Map<string, number>;
}

/** What one pass did so far. */
export interface PassProgress {
  commandsSent: number;
  /** Subscriptions with a command to send that the pass had no room left for. */
  subscriptionsDeferred: number;
  /** The boundaries the pass came to: any other one remembered as sent is billed now. */
  looked: Set<string>;
  /** Clocks with a customer whose subscription is not settled: not called ready yet. */
  busyClocks: Set<string>;
  /** Invoices being built now: each holds a place within the pass's bound until it is counted or given up. */
  building: number;
  /** The invoices built, recorded a transaction's worth at a time. */
  invoices: InvoiceBatches;
  /** Usage cutoffs of test clock instants read so far, by `clock|instant`. */
  clockCutoffs: Map<string, Promise<Date>>;
}

/** A boundary sent and not billed yet: the command that carries it, and when to send it again. */
export interface SentBoundary {
  /** Null when no command was sent: its invoice was refused before (it would cross a money bound). */
  commandId: string | null;
  attempts: number;
  firstSentAt: Date;
  retryAt: number;
}

export function newBillingRunMemory(): BillingRunMemory {
  return { sent: new Map(), nothingToBill: new Set(), resumeAfter: undefined, chargesSent: new Map() };
}

/** The boundary's attempt after one more try, sent again after a backoff that doubles with each (at most an hour). */
export function nextAttempt(
  deps: BillingPassDeps,
  attempt: SentBoundary | undefined,
  commandId: string | null,
): SentBoundary {
  const attempts = (attempt?.attempts ?? 0) + 1;
  const retryMs = Math.min(deps.boundaryRetryMs * 2 ** (attempts - 1), maxRetryMs);
  const now = deps.now();
  return { commandId, attempts, firstSentAt: attempt?.firstSentAt ?? now, retryAt: now.getTime() + retryMs };
}

/** The longest wait between two attempts at a boundary that does not bill. */
const maxRetryMs = 60 * 60_000;

/** A command went out for the subscription: it counts against the bound, and the next pass starts after it. */
export function recordSent(memory: BillingRunMemory, pass: PassProgress, subscriptionId: string): void {
  pass.commandsSent += 1;
  memory.resumeAfter = subscriptionId;
}
