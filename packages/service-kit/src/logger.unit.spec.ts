import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('service logger', () => {
  it('writes JSON lines without the Authorization header', () => {
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (line: string) => lines.push(line) });
    logger.info({ req: { method: 'GET', headers: { authorization: 'Bearer ak_live_secret', host: 'x' } } }, 'request');
    const logged = JSON.parse(lines[0]!);
    expect(logged).toMatchObject({ service: 'test', msg: 'request', req: { method: 'GET', headers: { host: 'x' } } });
    expect(lines[0]).not.toContain('ak_live_secret');
  });
});
