import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Response, Router } from 'express';
import type { oas31 } from 'zod-openapi';
import { ApiHttpError } from '../http/apiError';
import { openApiDocument } from './openApiDocument';

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const pageDir = fileURLToPath(new URL('./page/', import.meta.url));

/** The files `/docs` loads, and where each is: Swagger UI's own from swagger-ui-dist, the page's from here. */
const assets: Record<string, string> = {
  'swagger-ui.css': path.join(swaggerUiDir, 'swagger-ui.css'),
  'swagger-ui-bundle.js': path.join(swaggerUiDir, 'swagger-ui-bundle.js'),
  'favicon-32x32.png': path.join(swaggerUiDir, 'favicon-32x32.png'),
  'reference.js': path.join(pageDir, 'reference.js'),
};

/**
 * Nothing but the gateway's own files runs or loads: no inline script or style (the page has none), no CDN; the
 * document is fetched from the same origin, and Swagger UI's CSS draws a few icons from `data:` images.
 */
export const referenceContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /openapi.json` (the public API's OpenAPI document) and `GET /docs` (Swagger UI over it, served from
 * swagger-ui-dist by the gateway itself): public, like the API's description on any website (ADR 0023).
 */
export function apiReferenceRoutes(): Router {
  const router = Router();
  let document: oas31.OpenAPIObject | undefined;
  router.get('/openapi.json', (_request, response) => {
    document ??= openApiDocument();
    guard(response, "default-src 'none'; frame-ancestors 'none'").set('Cache-Control', 'no-cache').json(document);
  });
  router.get('/docs', (_request, response) => {
    guard(response, referenceContentSecurityPolicy)
      .set('Cache-Control', 'no-cache')
      .sendFile(path.join(pageDir, 'reference.html'), { cacheControl: false });
  });
  router.get('/docs/:file', (request, response) => {
    const file = Object.hasOwn(assets, request.params.file) ? assets[request.params.file] : undefined;
    if (!file) throw ApiHttpError.of('NOT_FOUND', 'No such file', 'file');
    // Allowed: pnpm keeps swagger-ui-dist under node_modules/.pnpm, and only the files named above are ever sent.
    guard(response, referenceContentSecurityPolicy).sendFile(file, { maxAge: '1h', dotfiles: 'allow' });
  });
  return router;
}

function guard(response: Response, contentSecurityPolicy: string): Response {
  return response.set({
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
}
