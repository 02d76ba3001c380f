import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openApiDocument } from './openApiDocument';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const directory = mkdtempSync(path.join(tmpdir(), 'afternoon-openapi-'));

describe('the OpenAPI document, linted', () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("passes `redocly lint` with the repository's rule set (redocly.yaml), offline", { timeout: 120_000 }, async () => {
    const file = path.join(directory, 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument()));
    const lint = await promisify(execFile)(
      path.join(root, 'node_modules/.bin/redocly'),
      ['lint', '--config', path.join(root, 'redocly.yaml'), '--format', 'json', file],
      { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((failure: { stdout: string }) => failure);
    const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});
