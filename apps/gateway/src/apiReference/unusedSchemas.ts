import type { oas31 } from 'zod-openapi';

const schemaRef = /"#\/components\/schemas\/([^"]+)"/g;

/**
 * The document without the contract schemas no operation uses (every export of the contracts is registered so that
 * the used ones keep their names; commands and events are not the public API's).
 */
export function withoutUnusedSchemas(document: oas31.OpenAPIObject): oas31.OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const { schemas: _all, ...otherComponents } = document.components ?? {};
  const used = new Set<string>();
  const visit = (value: unknown) => {
    for (const [, name] of JSON.stringify(value).matchAll(schemaRef)) {
      if (!name || used.has(name)) continue;
      used.add(name);
      visit(schemas[name]);
    }
  };
  visit({ paths: document.paths, otherComponents });
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...otherComponents, schemas: kept } };
}
