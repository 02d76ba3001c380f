import type { CommandReply } from '@afternoon/contracts/messaging';

type Deliver = (reply: CommandReply) => void;

/**
 * The requests waiting for a command's reply, by command id. Several may wait for one id (two requests sending
 * the same stored command), and each must get the reply; one giving up must not take the others' place.
 */
export class ReplyWaiters {
  private readonly byCommandId = new Map<string, Set<Deliver>>();

  /** Waits for the command's reply; the function returned stops waiting. */
  add(commandId: string, deliver: Deliver): () => void {
    const waiters = this.byCommandId.get(commandId) ?? new Set<Deliver>();
    this.byCommandId.set(commandId, waiters);
    // One function per wait, so the same callback added twice is still two waiters.
    const waiter: Deliver = (reply) => deliver(reply);
    waiters.add(waiter);
    return () => {
      waiters.delete(waiter);
      if (waiters.size === 0 && this.byCommandId.get(commandId) === waiters) this.byCommandId.delete(commandId);
    };
  }

  /** Whether a request of this instance waits for the command's reply. */
  awaits(commandId: string): boolean {
    return this.byCommandId.has(commandId);
  }

  deliver(reply: CommandReply): void {
    for (const waiter of this.byCommandId.get(reply.command_id) ?? []) waiter(reply);
  }
}
