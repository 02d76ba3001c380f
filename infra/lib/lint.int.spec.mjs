import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const biome = join(root, 'node_modules/.bin/biome');
const run = promisify(execFile);

/** `biome lint` over a scratch project that extends the repository's config; resolves to the rules that failed. */
async function lintFailures(dir) {
  const answer = await run(biome, ['lint', '.', '--max-diagnostics=100'], { cwd: dir }).catch((error) => error);
  const output = `${answer.stdout}${answer.stderr}`;
  return { code: answer.code ?? 0, rules: [...new Set(output.match(/lint\/\w+\/\w+/g) ?? [])].sort() };
}

/** A scratch project for one test, configured like the repository. */
function scratchProject(parent, name) {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'biome.json'), JSON.stringify({ extends: [join(root, 'biome.jsonc')], root: true }));
  return dir;
}

/** A function whose body (between its first and last line) is `lines` lines long. */
const functionOf = (name, lines) => `export function ${name}() {\n${'  console.log(0);\n'.repeat(lines)}}\n`;

/** A file of `lines` lines, each a declaration of its own. */
const fileOf = (lines) => Array.from({ length: lines }, (_, line) => `export const line${line} = ${line};\n`).join('');

describe("the repository's lint (run by npm test before the tests)", () => {
  const parent = mkdtempSync(join(tmpdir(), 'afternoon-lint-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('fails on an import cycle, and passes the same files without it', async () => {
    const dir = scratchProject(parent, 'cycle');
    writeFileSync(
      join(dir, 'invoice.ts'),
      "import { lines } from './lines';\n\nexport const invoice = () => lines();\n",
    );
    writeFileSync(
      join(dir, 'lines.ts'),
      "import { invoice } from './invoice';\n\nexport const lines = () => invoice;\n",
    );
    expect(await lintFailures(dir)).toEqual({ code: 1, rules: ['lint/suspicious/noImportCycles'] });

    writeFileSync(join(dir, 'lines.ts'), 'export const lines = () => [];\n');
    expect(await lintFailures(dir)).toEqual({ code: 0, rules: [] });
  });

  it('fails on a function body past 80 lines and a file past 400, and passes them at those sizes', async () => {
    const dir = scratchProject(parent, 'sizes');
    writeFileSync(join(dir, 'billingRun.ts'), functionOf('billingRun', 81));
    writeFileSync(join(dir, 'invoices.ts'), fileOf(401));
    expect(await lintFailures(dir)).toEqual({
      code: 1,
      rules: ['lint/complexity/noExcessiveLinesPerFunction', 'lint/style/noExcessiveLinesPerFile'],
    });

    writeFileSync(join(dir, 'billingRun.ts'), functionOf('billingRun', 80));
    writeFileSync(join(dir, 'invoices.ts'), fileOf(400));
    expect(await lintFailures(dir)).toEqual({ code: 0, rules: [] });
  });

  it('holds specs to a file limit of 500 lines only, since a describe() callback is the whole spec', async () => {
    const dir = scratchProject(parent, 'specs');
    const describeOf = (lines) => `describe('billing', () => {\n${'  console.log(0);\n'.repeat(lines - 2)}});\n`;
    writeFileSync(join(dir, 'billing.unit.spec.ts'), describeOf(500));
    expect(await lintFailures(dir)).toEqual({ code: 0, rules: [] });

    writeFileSync(join(dir, 'billing.unit.spec.ts'), describeOf(501));
    expect(await lintFailures(dir)).toEqual({ code: 1, rules: ['lint/style/noExcessiveLinesPerFile'] });
  });
});
