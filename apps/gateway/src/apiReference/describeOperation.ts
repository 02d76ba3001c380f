import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import type { DocumentedRoute } from './documentedRoutes';
import { errorResponseRef } from './errorResponses';
import type { Operation } from './operation';
import { queryObject } from './queryParameters';
import { readmeExamples } from './readmeExamples';
import { rateLimitHeaders, replayedHeader, requestIdHeader } from './responseHeaders';
import { tagOf } from './tags';

const writes = new Set(['POST', 'PATCH', 'DELETE']);

/** One route as an OpenAPI operation: its contracts from the route table, its answer from `operation`. */
export function describeOperation(
  route: DocumentedRoute,
  operation: Operation,
  answerSchema: z.ZodType,
): ZodOpenApiOperationObject {
  const { contracts, method, key } = route;
  const keyed = contracts.auth === 'key' || contracts.auth === 'test key';
  const example = readmeExamples[key];
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(contracts.auth === 'test key' ? { description: 'Test mode only: a live key is refused with 403.' } : {}),
    tags: [tagOf(route.path)],
    ...(keyed ? {} : { security: [] }),
    requestParams: {
      ...(contracts.params ? { path: pathParameters(Object.keys(contracts.params)) } : {}),
      ...(contracts.query ? { query: queryObject(contracts.query) } : {}),
    },
    ...(keyed && writes.has(method) ? { parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }] } : {}),
    ...(operation.signatureHeader ? signedRequest(operation.signatureHeader) : {}),
    ...(contracts.body
      ? {
          requestBody: {
            required: method === 'POST',
            content: {
              'application/json': { schema: contracts.body, ...(example?.request ? { example: example.request } : {}) },
            },
          },
        }
      : {}),
    responses: {
      [operation.status]: {
        description: operation.summary,
        headers: {
          ...requestIdHeader,
          ...(keyed ? rateLimitHeaders : {}),
          ...(keyed && writes.has(method) ? replayedHeader : {}),
        },
        content: {
          'application/json': {
            schema: answerSchema,
            ...(example?.response ? { example: example.response } : {}),
          },
        },
      },
      ...errorResponsesOf(route, keyed),
    },
  };
}

/** A signed event: the signature header, and the body exactly as the sender signed it. */
function signedRequest(header: string): Pick<ZodOpenApiOperationObject, 'parameters' | 'requestBody'> {
  return {
    parameters: [{ name: header, in: 'header', required: true, schema: { type: 'string' } }],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: { type: 'object', description: 'The event as its sender sent it, verified against its raw bytes' },
        },
      },
    },
  };
}

function pathParameters(names: string[]): z.ZodObject {
  return z.object(
    Object.fromEntries(names.map((name) => [name, z.string().meta({ description: describeParam(name) })])),
  );
}

function describeParam(name: string): string {
  return name === 'code' ? 'The resource code' : `The ${name.replace(/_id$/, '').replace(/_/g, ' ')} id`;
}

/** The error answers a route can give: every route 400 and 5xx; keyed ones 401 and 429; and so on. */
function errorResponsesOf(route: DocumentedRoute, keyed: boolean): ZodOpenApiResponsesObject {
  const { contracts, method } = route;
  const statuses = [
    400,
    ...(keyed ? [401] : []),
    ...(contracts.auth === 'test key' ? [403] : []),
    ...(contracts.params ? [404] : []),
    ...(writes.has(method) && keyed ? [409] : []),
    ...(contracts.body ? [413, 415] : []),
    ...(keyed ? [429] : []),
    500,
    503,
    ...(writes.has(method) ? [504] : []),
  ];
  return Object.fromEntries(statuses.map((status) => [status, errorResponseRef(status)]));
}
