import { writeFileSync } from 'node:fs';
import { generatedSchema, schemaTypesUrl } from './generatedSchema';

// `npm run openapi` (after docs/openapi.json) or `npm run sdk`: the SDK's types regenerated from the committed document.
writeFileSync(schemaTypesUrl, await generatedSchema());
console.log(`wrote ${schemaTypesUrl.pathname}`);
