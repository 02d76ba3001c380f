import { type FieldProblem, unstorableValues } from '@afternoon/contracts/common';
import { fieldPath } from '@afternoon/service-kit';
import type { RequestHandler } from 'express';
import { ApiHttpError } from './apiError';

/**
 * Refuses, before any route runs, a request whose JSON body or query string holds what Postgres cannot store (NUL,
 * lone surrogates, infinite numbers): otherwise a service would refuse it only after the gateway answered, or the
 * command would time out. Every bad field is named by its path.
 */
export const refuseUnstorableInput: RequestHandler = (request, _response, next) => {
  const problems: FieldProblem[] = [request.query, request.body].flatMap((input) =>
    unstorableValues(input).map(({ path, message }) => ({ param: fieldPath(path), message })),
  );
  if (problems.length > 0) throw ApiHttpError.validation(problems);
  next();
};
