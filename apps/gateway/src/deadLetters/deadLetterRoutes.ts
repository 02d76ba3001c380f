import { ListDeadLettersQuery } from '@afternoon/contracts/deadLetters';
import { decodeCursor, keysetPage } from '@afternoon/service-kit';
import { Router } from 'express';
import { authenticateAdmin } from '../auth/authenticate';
import { ApiHttpError } from '../http/apiError';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { type DeadLetterSource, findDeadLetters, newestFirst } from './listDeadLetters';

/**
 * `GET /v1/admin/dead_letters`: the records consumers dead-lettered (commands, events, usage), newest first, across
 * organizations, behind ADMIN_TOKEN. Each request reads the dead-letter topics from Kafka.
 */
export function deadLetterRoutes(source: DeadLetterSource, adminToken: string): Router {
  const router = Router();

  router.get('/v1/admin/dead_letters', authenticateAdmin(adminToken), async (request, response) => {
    const query = validate(ListDeadLettersQuery, request.query, 'query');
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const found = await findDeadLetters(source, { topic: query.topic, organizationId: query.organization_id }).catch(
      (error: unknown) => {
        // Kafka or Postgres did not answer: the dead letters are still there, to be read once they do.
        throw ApiHttpError.of('SERVICE_UNAVAILABLE', `Dead letters cannot be read now: ${messageOf(error)}`);
      },
    );
    const rest = found
      .map(({ letter }) => letter)
      .filter((letter) => !after || newestFirst(letter, { dead_lettered_at: after[0], id: after[1] }) > 0);
    const { page, pagination } = keysetPage(rest.slice(0, query.limit + 1), query.limit, (last) => [
      last.dead_lettered_at,
      last.id,
    ]);
    respond(response, 200, { dead_letters: page, pagination });
  });

  return router;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
