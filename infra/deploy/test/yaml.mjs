import { createRequire } from 'node:module';

// `yaml` is not a dependency of the root yet; vitest's vite has it (as its peer), so the deploy checks borrow that one.
const fromRoot = createRequire(import.meta.url);
const fromVite = createRequire(createRequire(fromRoot.resolve('vitest/package.json')).resolve('vite'));
const yaml = fromVite('yaml');

/** Every document of a YAML text, as plain values (compose's `<<` merge keys applied). */
export function parseYamlDocuments(text) {
  return yaml
    .parseAllDocuments(text, { merge: true })
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join('\n'));
      return document.toJS({ maxAliasCount: -1 });
    })
    .filter((value) => value !== null && value !== undefined);
}
