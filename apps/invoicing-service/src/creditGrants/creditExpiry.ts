import { randomUUID } from 'node:crypto';
import type { ExpireCreditGrant } from '@afternoon/contracts/credits';
import type { CommandMetadata } from '@afternoon/contracts/messaging';
import { type BackgroundLoop, type Logger, startBackgroundLoop } from '@afternoon/service-kit';
import type { DueGrant } from './grantsToExpire';

/** The command the expiry loop sends to invoicing's own commands topic. */
export type ExpiryCommand = ExpireCreditGrant & { metadata: CommandMetadata };

export interface CreditExpiryDeps {
  /** Active grants whose customer's clock has reached their `expires_at`, at most `limit`. */
  dueGrants(realNow: Date, limit: number): Promise<DueGrant[]>;
  /** Resolves once the command is in invoicing's own commands topic, keyed by `key`. */
  send(key: string, command: ExpiryCommand): Promise<void>;
  now(): Date;
  /** The most commands one pass sends; what is left goes in the next pass, at once. */
  maxCommandsPerPass: number;
  /** How long a sent expiry waits for its grant to read expired before it is sent again. */
  resendAfterMs: number;
}

/** What one pass did, and whether due grants were left for the next. */
export interface ExpiryPass {
  commandsSent: number;
  grantsDeferred: number;
}

/** Grants sent an expiry and not read expired yet, with the real instant each may be sent again. */
export type SentExpiries = Map<string, number>;

/**
 * One pass: an `ExpireCreditGrant` for each grant due, keyed by grant, unless one was sent for it lately. Sending
 * twice is safe (a grant expires once; a second expiry changes nothing), so a lost command is simply sent again.
 */
export async function expiryPass(deps: CreditExpiryDeps, sent: SentExpiries): Promise<ExpiryPass> {
  const realNow = deps.now();
  // One more than the pass may send, besides those on their way: whether any is left for the next pass shows.
  const due = await deps.dueGrants(realNow, deps.maxCommandsPerPass + sent.size + 1);
  const dueIds = new Set(due.map((grant) => grant.grantId));
  // A grant no longer due has expired (or was voided): nothing to resend.
  for (const grantId of sent.keys()) if (!dueIds.has(grantId)) sent.delete(grantId);
  const toSend = due.filter((grant) => (sent.get(grant.grantId) ?? 0) <= realNow.getTime());
  const now = toSend.slice(0, deps.maxCommandsPerPass);
  for (const grant of now) {
    await deps.send(grant.grantId, expireCreditGrant(grant));
    sent.set(grant.grantId, realNow.getTime() + deps.resendAfterMs);
  }
  return { commandsSent: now.length, grantsDeferred: toSend.length - now.length };
}

/** Expires a grant at its customer's now. A fresh command id is also its correlation id: nobody waits on the reply. */
export function expireCreditGrant(grant: DueGrant): ExpiryCommand {
  const commandId = randomUUID();
  return {
    type: 'ExpireCreditGrant',
    data: { grant_id: grant.grantId },
    metadata: {
      command_id: commandId,
      correlation_id: commandId,
      request_id: `credit-expiry-${commandId}`,
      organization_id: grant.tenant.organizationId,
      mode: grant.tenant.mode,
      issued_at: grant.now.toISOString(),
    },
  };
}

/** The pause after a pass that sent commands: their grants read expired soon, and the next may be due. */
const followUpMs = 100;

/**
 * Time's work on credit grants: every grant whose customer's clock (the real one, or a test clock) reaches its
 * `expires_at` is sent an expiry, once. A pass follows at once when the last one stopped at its bound, soon after one
 * that sent something, else after the interval; a wake-up (a test clock advanced) starts one at once.
 */
export function startCreditExpiry(
  deps: CreditExpiryDeps & { intervalMs: number; logger: Logger },
): BackgroundLoop<ExpiryPass> {
  const sent: SentExpiries = new Map();
  return startBackgroundLoop({
    name: 'credit expiry',
    logger: deps.logger,
    intervalMs: deps.intervalMs,
    turn: () => expiryPass(deps, sent),
    pauseAfter: (pass) => (pass.grantsDeferred > 0 ? 0 : pass.commandsSent > 0 ? followUpMs : deps.intervalMs),
  });
}
