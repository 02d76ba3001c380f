import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedSchema, schemaTypesUrl } from './generatedSchema';

describe("the SDK's generated types", () => {
  it('are those of the committed docs/openapi.json (run `npm run openapi` after changing a route or a contract)', async () => {
    expect(readFileSync(schemaTypesUrl, 'utf8')).toBe(await generatedSchema());
  });
});
