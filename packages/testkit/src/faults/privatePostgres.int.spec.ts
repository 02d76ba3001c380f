import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivatePostgres, startPrivatePostgres } from './privatePostgres';

describe('startPrivatePostgres', () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('serves, drops its sessions on a crash restart, and serves again on the same port', async () => {
    const client = new pg.Client({ connectionString: server.url });
    const ended = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    await server.restart('immediate');

    expect(await ended).toBeInstanceOf(Error);
    const again = new pg.Client({ connectionString: server.url });
    await again.connect();
    expect((await again.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await again.end();
  });
});
