/**
 * The release-health read API, mounted at `/api/0/organizations` behind the read API's guards
 * (Host check, allowed origins, GET only, the read token):
 *
 *   GET /<org>/sessions/    sessions per release and status over a window (sessions/query.ts):
 *       ?field=sum(session)|count_unique(user)|crash_free_rate(session)|…  (repeatable, required)
 *       ?groupBy=project|release|environment|session.status                (repeatable)
 *       ?project=<id> (repeatable; -1 or none: all)  ?environment=<e>  ?query=release:<r>
 *       ?start=<ISO>&end=<ISO> or ?statsPeriod=5m|1h|24h…  ?interval=1m (default 1h)
 *
 * What a release guard reads, as it reads Sentry's: unknown org 404, a project that is not the
 * org's 403 (as Sentry), anything the inbox cannot answer 400 `{ detail }`.
 */

import { Hono } from 'hono';
import { INBOX_ORG } from '@repo/topology';
import { refuse, send } from '../http/answer.ts';
import type { InboxEnv } from '../http/request.ts';
import { QueryError } from '../query.ts';
import { readSessionsQuery, sessionsResult, unknownProjectIds } from '../sessions/query.ts';
import type { SessionStore } from '../sessions/store.ts';

export interface SessionsApiContext {
  readonly sessions: SessionStore;
}

export function sessionsApiRoutes({ sessions }: SessionsApiContext): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();

  routes.get('/:org/sessions', (c) => {
    const org = c.req.param('org');
    if (org !== INBOX_ORG) {
      return send(c, refuse(404, `Organization "${org}" not found; the local organization is "${INBOX_ORG}".`));
    }
    try {
      const query = readSessionsQuery(new URL(c.req.url).searchParams);
      const unknown = unknownProjectIds(query);
      if (unknown.length > 0) {
        return send(c, refuse(403, `No project ${unknown.join(', ')} in organization "${INBOX_ORG}".`));
      }
      return send(c, { status: 200, body: sessionsResult(sessions, query) });
    } catch (error) {
      if (error instanceof QueryError) return send(c, refuse(400, error.message));
      throw error;
    }
  });

  return routes;
}
