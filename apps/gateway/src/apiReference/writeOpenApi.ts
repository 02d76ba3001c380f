import { writeFileSync } from 'node:fs';
import { openApiDocument } from './openApiDocument';

// `npm run openapi`: the document the gateway serves at /openapi.json, committed for SDK generators and reviews.
const target = new URL('../../../../docs/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
