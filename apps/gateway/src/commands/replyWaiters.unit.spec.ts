import type { CommandReply } from '@afternoon/contracts/messaging';
import { describe, expect, it } from 'vitest';
import { ReplyWaiters } from './replyWaiters';

const reply = (commandId: string): CommandReply => ({
  correlation_id: 'req_1',
  command_id: commandId,
  ok: true,
  result: null,
});

describe('ReplyWaiters', () => {
  it('gives a reply to every request waiting for that command, and to no other', () => {
    const waiters = new ReplyWaiters();
    const got: string[] = [];
    waiters.add('cmd_a', () => got.push('first'));
    waiters.add('cmd_a', () => got.push('second'));
    waiters.add('cmd_b', () => got.push('other command'));

    waiters.deliver(reply('cmd_a'));

    expect(got).toEqual(['first', 'second']);
  });

  it('keeps the other waiters of a command when one stops waiting', () => {
    const waiters = new ReplyWaiters();
    const got: string[] = [];
    const stopFirst = waiters.add('cmd_a', () => got.push('first'));
    waiters.add('cmd_a', () => got.push('second'));

    stopFirst();
    stopFirst();
    waiters.deliver(reply('cmd_a'));

    expect(got).toEqual(['second']);
  });

  it('counts the same callback added twice as two waiters', () => {
    const waiters = new ReplyWaiters();
    let replies = 0;
    const count = () => {
      replies += 1;
    };
    const stop = waiters.add('cmd_a', count);
    waiters.add('cmd_a', count);

    stop();
    waiters.deliver(reply('cmd_a'));

    expect(replies).toBe(1);
  });

  it('forgets a command once nobody waits for it, and a later wait for it still gets its reply', () => {
    const waiters = new ReplyWaiters();
    const got: string[] = [];
    const stopEarly = waiters.add('cmd_a', () => got.push('early'));
    stopEarly();
    waiters.add('cmd_a', () => got.push('late'));
    stopEarly();

    waiters.deliver(reply('cmd_a'));

    expect(got).toEqual(['late']);
  });
});
