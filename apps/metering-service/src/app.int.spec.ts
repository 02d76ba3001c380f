import { dropSchemas, serviceEnv, uniqueName } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { startMeteringService } from './app';

describe('metering-service', () => {
  it('starts, migrates its own schema and answers health and readiness checks', async () => {
    const schema = uniqueName('metering');
    const service = await startMeteringService(serviceEnv(schema, `${uniqueName('t')}.`));
    try {
      const base = `http://127.0.0.1:${service.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: true, kafka: true } });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('afternoon_outbox_published_total');
      const { rows } = await service.pool.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining(['events', 'outbox', 'schema_migrations']),
      );
    } finally {
      await service.stop();
      await dropSchemas(schema);
    }
  });
});
