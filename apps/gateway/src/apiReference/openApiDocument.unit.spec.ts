import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeDescriptions } from '../hostile/routeDescriptions';
import { documentedRoutes, isDocumented, openApiPath } from './documentedRoutes';
import { openApiDocument, operations, successSchemaOf } from './openApiDocument';
import { readmeExamples } from './readmeExamples';
import { tags } from './tags';

const document = openApiDocument();
const methods = ['get', 'post', 'patch', 'delete', 'put'] as const;

/** `POST /v1/customers/{id}` for every operation the document describes. */
function describedOperations(): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    methods.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('the OpenAPI document', () => {
  it('describes every route of the route table it does not leave out on purpose, and no other', () => {
    const table = Object.keys(routeDescriptions)
      .map((key) => key.split(' ') as [string, string])
      .filter(([, path]) => isDocumented(path))
      .map(([method, path]) => `${method} ${openApiPath(path)}`);
    const described = describedOperations();
    expect(
      table.filter((key) => !described.includes(key)),
      'routes the gateway serves missing from the document',
    ).toEqual([]);
    expect(
      described.filter((key) => !table.includes(key)),
      'operations of routes the gateway does not serve',
    ).toEqual([]);
  });

  it('leaves out only the admin API, the operational endpoints, the hosted invoice pages and itself', () => {
    const left = Object.keys(routeDescriptions).filter((key) => !isDocumented(key.split(' ')[1] ?? ''));
    for (const key of left)
      expect(key).toMatch(/^GET \/(healthz|readyz|metrics|openapi\.json|docs)|\/v1\/admin\/|\/inv\//);
    expect(left).toContain('POST /v1/admin/organizations');
    expect(describedOperations()).toContain('POST /webhooks/stripe/{organization_id}');
  });

  it('names and answers every documented route with an operation of its own, for no route it does not serve', () => {
    const documented = documentedRoutes().map((route) => route.key);
    expect(documented.filter((key) => !operations[key])).toEqual([]);
    expect(Object.keys(operations).filter((key) => !documented.includes(key))).toEqual([]);
    const ids = Object.values(operations).map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tags every operation with a tag it declares', () => {
    const declared = tags.map((tag) => tag.name);
    const used = Object.values(document.paths ?? {}).flatMap((item) =>
      methods.flatMap((method) => item[method]?.tags ?? []),
    );
    expect(used.filter((tag) => !declared.includes(tag))).toEqual([]);
    expect(declared.filter((tag) => !used.includes(tag))).toEqual([]);
  });

  it("takes its examples from the README's curl calls, each accepted by the route's own contracts", () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    for (const [key, example] of Object.entries(readmeExamples)) {
      const [method, path] = key.split(' ');
      expect(readme, key).toContain(`-X ${method} http://localhost:3000${path}`);
      if (example.request) expect(routeDescriptions[key]?.body?.safeParse(example.request).success, key).toBe(true);
      if (example.response) expect(successSchemaOf(key).safeParse(example.response).success, key).toBe(true);
    }
  });

  it('is the committed docs/openapi.json (run `npm run openapi` after changing a route or a contract)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
