import { createHash } from 'node:crypto';

/**
 * The id of the invoice that bills `subscriptionId` at `boundary`: derived, not drawn, so every attempt to bill the
 * same boundary names the same invoice stream and only the first can create it.
 */
export function subscriptionInvoiceId(subscriptionId: string, boundary: Date): string {
  const digest = createHash('sha256').update(`${subscriptionId}|${boundary.toISOString()}`).digest();
  return `i${BigInt(`0x${digest.toString('hex')}`)
    .toString(36)
    .padStart(24, '0')
    .slice(-24)}`;
}
