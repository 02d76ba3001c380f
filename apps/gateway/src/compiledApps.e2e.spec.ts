import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appNames, buildApps } from '../test/compiledApp';
import { type CompiledCluster, startCompiledCluster } from '../test/compiledCluster';
import { runQuickstart } from '../test/quickstartSteps';

/**
 * `npm run build`, then the five apps as the image and the systemd units run them (`node dist/main.js`, no tsx):
 * migrations, fonts and every dependency must be found from dist/ (ADR 0024).
 */
describe('the compiled apps', () => {
  let cluster: CompiledCluster | undefined;

  beforeAll(async () => {
    await buildApps();
    cluster = await startCompiledCluster();
  }, 240_000);
  afterAll(() => cluster?.cleanUp());

  it('serve the quickstart through the gateway, the invoice PDF included', async () => {
    if (!cluster) throw new Error('no cluster');
    const org = await cluster.createOrganization('Quickstart Seller');
    const { publicInvoiceUrl } = await runQuickstart(org, cluster.baseUrl);

    const pdf = await fetch(new URL(`${new URL(publicInvoiceUrl).pathname}.pdf`, cluster.baseUrl));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('each exit with code 0 on SIGTERM', async () => {
    if (!cluster) throw new Error('no cluster');
    const statuses = await cluster.stop();
    for (const name of appNames) expect({ name, ...statuses[name] }).toEqual({ name, code: 0, signal: null });
  });
});
