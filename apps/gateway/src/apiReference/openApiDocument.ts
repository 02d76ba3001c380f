import { z } from 'zod';
import { type CreateDocumentOptions, createDocument, type oas31, type ZodOpenApiPathsObject } from 'zod-openapi';
import { billingOperations } from './billingOperations';
import { catalogOperations } from './catalogOperations';
import { contractSchemas } from './contractNames';
import { describeOperation } from './describeOperation';
import { documentedRoutes, openApiPath } from './documentedRoutes';
import { errorResponses } from './errorResponses';
import type { Operation } from './operation';
import { successAnswer } from './successAnswer';
import { tags } from './tags';
import { withoutUnusedSchemas } from './unusedSchemas';

/** Every documented route's operation, keyed as the route table is (`POST /v1/customers`). */
export const operations: Record<string, Operation> = { ...catalogOperations, ...billingOperations };

/** A documented route's whole success answer (`{success: true, …, request_id}`), as the document describes it. */
export function successSchemaOf(key: string): z.ZodType {
  const operation = operations[key];
  if (!operation) throw new Error(`${key} has no operation in the API reference`);
  return successAnswer(operation.answer);
}

/**
 * The public API as an OpenAPI 3.1 document, built from the route table's contracts and the operations' answers:
 * a route the gateway serves is in it unless `documentedRoutes` leaves it out on purpose.
 */
export function openApiDocument(): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  const answers: Record<string, z.ZodType> = {};
  for (const route of documentedRoutes()) {
    const operation = operations[route.key] ?? undescribed(route.key);
    const answer = successAnswer(operation.answer);
    answers[`${upperFirst(operation.operationId)}Response`] = answer;
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: describeOperation(route, operation, answer) };
  }
  const document = createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Afternoon API',
        version: '1',
        description:
          'Usage-based billing. Every answer is `{success: true, <resource>, request_id}` or the error envelope ' +
          '`{success: false, error: {code, message, param?, details?}, request_id}`. Writes take an optional ' +
          '`Idempotency-Key`; lists page with `limit` and `cursor` (`pagination.next_cursor`).',
      },
      servers: [{ url: '/', description: 'The gateway serving this document' }],
      tags,
      security: [{ apiKey: [] }],
      paths,
      components: {
        schemas: { ...contractSchemas(), ...answers },
        responses: errorResponses(),
        parameters: { IdempotencyKey: idempotencyKey },
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'ak_live_… or ak_test_…',
            description: 'An API key: live keys see only live data, test keys only test data.',
          },
        },
      },
    },
    { override: openAnswers },
  );
  return withoutUnusedSchemas(document);
}

const idempotencyKey: oas31.ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Retries with the same key and request return the first answer (`Idempotent-Replayed: true`); the same key ' +
    'with another request is refused with 409 `IDEMPOTENCY_KEY_REUSED`. Kept 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

// A route added to the table without an operation still shows, so the reference never hides it; the document's
// test refuses it until it has one.
function undescribed(key: string): Operation {
  const name = key.replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => next?.toUpperCase() ?? '');
  return { operationId: `undescribed${name}`, summary: `${key} (not described yet)`, answer: emptyAnswer, status: 200 };
}

/**
 * Answers may gain fields (an additive change), so an answer object the contracts leave open (`z.object`, not
 * `z.strictObject`) is open in the document too; zod's JSON Schema would close it in the output direction.
 */
const openAnswers: CreateDocumentOptions['override'] = ({ jsonSchema, zodSchema, io }) => {
  const def = zodSchema._zod.def;
  if (io === 'output' && def.type === 'object' && !('catchall' in def && def.catchall)) {
    delete jsonSchema.additionalProperties;
  }
  if (def.type === 'record') namedRecordKeys(jsonSchema);
};

type RenderedSchema = Parameters<NonNullable<CreateDocumentOptions['override']>>[0]['jsonSchema'];

/** A record over an enum has every key (zod 4): named as properties, so a generated SDK types each. */
function namedRecordKeys(jsonSchema: RenderedSchema): void {
  const { required, additionalProperties } = jsonSchema;
  if (!required?.length || jsonSchema.properties || typeof additionalProperties !== 'object') return;
  jsonSchema.properties = Object.fromEntries(required.map((key) => [key, additionalProperties]));
  jsonSchema.additionalProperties = false;
  delete jsonSchema.propertyNames;
}

const emptyAnswer = z.object({});

const upperFirst = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
