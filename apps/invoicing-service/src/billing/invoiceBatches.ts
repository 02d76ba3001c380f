import type { BillSubscriptionPeriodCommand, KeyedCommand } from './billingCommands';
import { type BillingPassDeps, type BillingRunMemory, nextAttempt, type SentBoundary } from './billingRunMemory';
import type { SubscriptionToBill } from './subscriptionsToBill';

/** A boundary's invoice the pass built: the command that carries it, for its subscription as the pass read it. */
export interface BuiltInvoice {
  /** `subscription|boundary`, as the run remembers boundaries. */
  key: string;
  /** The boundary's earlier attempt, when a command for it was sent before and brought no invoice. */
  attempt: SentBoundary | undefined;
  keyed: KeyedCommand & { command: BillSubscriptionPeriodCommand };
  due: SubscriptionToBill;
}

/**
 * The pass's built invoices, recorded `size` at a time in one transaction each (one batch after the other) while
 * the pass goes on building. A batch that fails is not retried whole: each of its invoices is sent as its own
 * command instead, so the command path isolates the one that cannot be recorded (refused, dead-lettered, retried
 * with backoff and listed as stuck) and the others are billed (ADR 0032).
 */
export class InvoiceBatches {
  private waiting: BuiltInvoice[] = [];
  private recording: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: BillingPassDeps,
    private readonly memory: BillingRunMemory,
    private readonly size: number,
  ) {}

  /** Queues the invoice; the caller that fills a batch waits for it to be recorded (the pass's back-pressure). */
  async add(invoice: BuiltInvoice): Promise<void> {
    this.waiting.push(invoice);
    if (this.waiting.length >= this.size) await this.flush();
  }

  /** Records what waits, after the batches before it; resolves once all of them are recorded (or sent). */
  flush(): Promise<void> {
    const batch = this.waiting.splice(0);
    if (batch.length > 0) this.recording = this.recording.then(() => this.record(batch));
    return this.recording;
  }

  private async record(batch: BuiltInvoice[]): Promise<void> {
    const invoices = batch.map(({ due, keyed }) => ({
      tenant: due.tenant,
      subscriptionId: due.subscription.id,
      fingerprint: due.fingerprint,
      command: keyed.command,
    }));
    try {
      const { stale } = await this.deps.recordInvoices(invoices);
      if (stale > 0)
        this.deps.logger.info(
          { stale },
          'subscriptions changed while their invoices were built; built again next pass',
        );
      return;
    } catch (error) {
      this.deps.logger.warn(
        { err: error, invoices: batch.length },
        'recording a batch of invoices failed; sending each as its own command',
      );
    }
    for (const invoice of batch) await this.sendAsCommand(invoice);
  }

  private async sendAsCommand({ key, attempt, keyed, due }: BuiltInvoice): Promise<void> {
    try {
      await this.deps.send(keyed);
      this.memory.sent.set(key, nextAttempt(this.deps, attempt, keyed.command.metadata.command_id));
    } catch (error) {
      // Not remembered as sent: the next pass builds it again.
      const fields = { err: error, subscription_id: due.subscription.id };
      this.deps.logger.error(fields, "sending a boundary's invoice command failed");
    }
  }
}
