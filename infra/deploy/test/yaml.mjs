import yaml from 'yaml';

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
