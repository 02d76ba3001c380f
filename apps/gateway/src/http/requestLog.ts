import type { Logger } from '@afternoon/service-kit';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';

// A hosted invoice's token is a bearer capability in its path (`/inv/<token>`, `/inv/<token>.pdf`; Express matches
// paths case-insensitively), so it is cut from everything the access log keeps: the URL and a Referer.
const hostedInvoiceToken = /(\/inv\/)[^/?#]+?(\.pdf)?(?=[/?#]|$)/gi;

/** The URL with any hosted invoice token replaced: `/inv/[redacted].pdf`. */
export function redactHostedInvoiceToken(url: string): string {
  return url.replace(hostedInvoiceToken, (_match, prefix: string, pdf?: string) => `${prefix}[redacted]${pdf ?? ''}`);
}

interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  query?: unknown;
  headers: Record<string, unknown>;
  remoteAddress?: string;
  remotePort?: number;
}

/** One access-log line per request, under its request id; route params are left out (the URL says them, redacted). */
export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_request, response) => response.locals.requestId,
    quietReqLogger: true,
    serializers: { req: loggedRequest },
  });
}

function loggedRequest(request: LoggedRequest): LoggedRequest {
  const referer = request.headers.referer;
  return {
    id: request.id,
    method: request.method,
    url: redactHostedInvoiceToken(String(request.url ?? '')),
    query: request.query,
    headers:
      typeof referer === 'string'
        ? { ...request.headers, referer: redactHostedInvoiceToken(referer) }
        : request.headers,
    remoteAddress: request.remoteAddress,
    remotePort: request.remotePort,
  };
}
