import type { CommandRecord } from '@afternoon/contracts/messaging';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * What a request holding an Idempotency-Key may do: run (a new key, or one whose earlier claim lapsed: the stored
 * command, if any, is the one to send), answer with the stored response, or be refused.
 */
export type IdempotencyClaim =
  | { outcome: 'claimed'; command: CommandRecord | null }
  | { outcome: 'answered'; response: StoredResponse }
  | { outcome: 'in_use' }
  | { outcome: 'reused_with_other_request' };

/** A key as stored, when this request could not claim it. */
export interface HeldKey {
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
}

/**
 * Why a request could not claim a key: another request's (the fingerprint differs, whatever the key's state),
 * already answered (replay it), or still being worked on by a request that has not answered yet.
 */
export function outcomeForHeldKey(
  held: HeldKey,
  requestHash: string,
): Exclude<IdempotencyClaim, { outcome: 'claimed' }> {
  if (held.request_hash !== requestHash) return { outcome: 'reused_with_other_request' };
  if (held.response_status !== null) {
    return { outcome: 'answered', response: { status: held.response_status, body: held.response_body } };
  }
  return { outcome: 'in_use' };
}
