import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const biome = join(root, 'node_modules/.bin/biome');
const run = promisify(execFile);

describe("the repository's lint (run by npm test before the tests)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'afternoon-import-cycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails on an import cycle, and passes the same files without it', async () => {
    writeFileSync(join(dir, 'biome.json'), JSON.stringify({ extends: [join(root, 'biome.json')], root: true }));
    writeFileSync(
      join(dir, 'invoice.ts'),
      "import { lines } from './lines';\n\nexport const invoice = () => lines();\n",
    );
    writeFileSync(
      join(dir, 'lines.ts'),
      "import { invoice } from './invoice';\n\nexport const lines = () => invoice;\n",
    );
    const cyclic = await run(biome, ['lint', '.'], { cwd: dir }).catch((error) => error);
    expect(cyclic.code).toBe(1);
    expect(`${cyclic.stdout}${cyclic.stderr}`).toContain('noImportCycles');

    writeFileSync(join(dir, 'lines.ts'), 'export const lines = () => [];\n');
    await expect(run(biome, ['lint', '.'], { cwd: dir })).resolves.toBeDefined();
  });
});
