import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const gatewayDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

describe('admin CLI', () => {
  const schema = uniqueName('gateway_cli');
  const cli = async (...args: string[]) => {
    const { stdout } = await run(tsx, ['src/cli.ts', ...args], {
      cwd: gatewayDir,
      env: { ...process.env, DATABASE_URL: testInfra().databaseUrl, DB_SCHEMA: schema },
    });
    return JSON.parse(stdout);
  };
  afterAll(() => dropSchemas(schema));

  it('creates an organization with both keys, lists, adds and revokes keys', async () => {
    const created = await cli('organizations', 'create', '--name', 'CLI Co');
    expect(created.organization.name).toBe('CLI Co');
    expect(created.api_keys.live).toMatch(/^ak_live_/);
    expect(created.api_keys.test).toMatch(/^ak_test_/);
    const orgId = created.organization.id;

    expect((await cli('organizations', 'list')).organizations.map((org: { id: string }) => org.id)).toEqual([orgId]);
    const added = await cli('api-keys', 'create', '--org', orgId, '--mode', 'test');
    expect(added.api_key.key).toMatch(/^ak_test_/);
    const revoked = await cli('api-keys', 'revoke', '--id', added.api_key.id);
    expect(revoked.api_key.revoked_at).not.toBeNull();
    const keys = (await cli('api-keys', 'list', '--org', orgId)).api_keys;
    expect(keys).toHaveLength(3);
    expect(keys.filter((key: { revoked_at: string | null }) => key.revoked_at !== null)).toHaveLength(1);
  });

  it("sets an organization's rate limit, and back to the default", async () => {
    const orgId = (await cli('organizations', 'create', '--name', 'Limited Co')).organization.id;
    const limited = await cli('organizations', 'set-rate-limit', '--id', orgId, '--per-minute', '50');
    expect(limited.organization).toMatchObject({ id: orgId, rate_limit_per_minute: 50 });
    const reset = await cli('organizations', 'set-rate-limit', '--id', orgId, '--per-minute', 'default');
    expect(reset.organization.rate_limit_per_minute).toBeNull();
    await expect(cli('organizations', 'set-rate-limit', '--id', orgId, '--per-minute=-3')).rejects.toThrow(/>=0/);
  });

  it('fails with a message for an unknown organization', async () => {
    await expect(cli('api-keys', 'list', '--org', 'nope')).rejects.toThrow(/no such organization/);
  });
});
