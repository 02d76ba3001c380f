import { describe, expect, it } from 'vitest';
import { outcomeForHeldKey } from './idempotencyOutcome';

describe('a key another request holds', () => {
  it('is refused as reused when the request differs, even once answered', () => {
    expect(outcomeForHeldKey({ request_hash: 'a', response_status: null, response_body: null }, 'b')).toEqual({
      outcome: 'reused_with_other_request',
    });
    expect(outcomeForHeldKey({ request_hash: 'a', response_status: 201, response_body: { id: 1 } }, 'b')).toEqual({
      outcome: 'reused_with_other_request',
    });
  });

  it('replays the stored answer, whatever its status', () => {
    expect(outcomeForHeldKey({ request_hash: 'a', response_status: 201, response_body: { id: 1 } }, 'a')).toEqual({
      outcome: 'answered',
      response: { status: 201, body: { id: 1 } },
    });
    expect(outcomeForHeldKey({ request_hash: 'a', response_status: 409, response_body: { e: 1 } }, 'a')).toEqual({
      outcome: 'answered',
      response: { status: 409, body: { e: 1 } },
    });
  });

  it('is in use while unanswered', () => {
    expect(outcomeForHeldKey({ request_hash: 'a', response_status: null, response_body: null }, 'a')).toEqual({
      outcome: 'in_use',
    });
  });
});
