import { readFileSync } from 'node:fs';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/** Where the committed OpenAPI document and the SDK's types generated from it live. */
export const openApiDocumentUrl = new URL('../../../../docs/openapi.json', import.meta.url);
export const schemaTypesUrl = new URL('../schema.d.ts', import.meta.url);

/** The TypeScript types openapi-typescript derives from the committed OpenAPI document, as `src/schema.d.ts` holds them. */
export async function generatedSchema(): Promise<string> {
  const document = JSON.parse(readFileSync(openApiDocumentUrl, 'utf8'));
  // A default makes a field optional to send, not present in answers: `required` in the document says which are.
  const ast = await openapiTS(document, { silent: true, defaultNonNullable: false });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
