import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './freePort';
import { kafkaScript, type PrivateKafka, startPrivateKafka } from './privateKafka';

describe('a private broker and infra/kafka/kafka.sh stop', () => {
  let broker: PrivateKafka;
  beforeAll(async () => {
    broker = await startPrivateKafka({ heap: '-Xmx256m' });
  }, 180_000);
  afterAll(async () => {
    await broker?.destroy();
  });

  // `npm start` whose own start was refused (the checkout's broker already ran on another port) used to stop it.
  it('is left running by a stop asked for another port, and stopped by its own', async () => {
    const pid = Number(readFileSync(join(broker.stateDir, 'kafka.pid'), 'utf8').trim());
    const port = broker.brokers.split(':')[1];
    const elsewhere = String(await freePort());
    const env = { ...process.env, KAFKA_STATE_DIR: broker.stateDir, KAFKA_PORT: elsewhere };
    const { stderr } = await promisify(execFile)('bash', [kafkaScript, 'stop'], { env });
    expect(stderr).toContain(`runs on port ${port}, not ${elsewhere}`);
    expect(() => process.kill(pid, 0)).not.toThrow();

    await broker.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  }, 180_000);
});
