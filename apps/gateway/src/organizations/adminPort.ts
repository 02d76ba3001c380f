import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { ApiHttpError } from '../http/apiError';

/** Where the admin API answers: on the public port (no ADMIN_PORT) or only on a port of its own. */
export interface AdminPort {
  /** Goes before the admin API: with a port of its own, the public port answers 404 for it. */
  adminOnly: RequestHandler;
  /** Goes after the admin API: its own port answers nothing else. */
  adminPortServesNothingElse: RequestHandler;
  /** Names the server listening on the admin port, once it listens. */
  listening(server: Server): void;
}

/**
 * Both ports serve one Express app, so a request is parsed, identified and answered alike on either; these guards,
 * keyed on the port a request arrived on, decide which routes each port has.
 */
export function adminPort(separate: boolean): AdminPort {
  let port: number | undefined;
  const onAdminPort = (request: Request) => port !== undefined && request.socket.localPort === port;
  return {
    adminOnly: (request, _response, next) => (!separate || onAdminPort(request) ? next() : notServedHere(request)),
    adminPortServesNothingElse: (request, _response, next) => (onAdminPort(request) ? notServedHere(request) : next()),
    listening(server) {
      port = (server.address() as AddressInfo).port;
    },
  };
}

// A 404 whatever the method: a 405 would list the methods the other port serves, telling that the route exists.
function notServedHere(request: Request): never {
  throw ApiHttpError.of(
    'NOT_FOUND',
    `Unrecognized request URL (${request.method} ${request.originalUrl.split('?')[0]})`,
  );
}
