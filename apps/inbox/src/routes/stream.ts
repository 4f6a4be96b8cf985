/**
 * The live stream (stream.ts), mounted at `/api/0/projects`:
 *
 *   GET /<org>/<project>/events/stream/[?query=...]   server-sent events; 404 unknown project, 400 bad query
 *
 * With a read token it takes `?token=` as well as the header: EventSource cannot send headers.
 */

import { Hono } from 'hono';
import { refuse, send } from '../http/answer.ts';
import { type ReadAuth, readToken } from '../http/read-token.ts';
import type { InboxEnv } from '../http/request.ts';
import { QueryError, type Term, parseQuery } from '../query.ts';
import { STREAM_HEADERS, type EventStream } from '../stream.ts';
import { findProject } from './read-api.ts';

export function streamRoutes(stream: EventStream, auth: ReadAuth): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();
  routes.get('/:org/:project/events/stream', readToken(auth, { query: true }), (c) => {
    const project = findProject(c.req.param('org'), c.req.param('project'));
    if (!('slug' in project)) return send(c, project);
    let terms: Term[];
    try {
      terms = parseQuery(c.req.query('query') ?? '');
    } catch (error) {
      if (error instanceof QueryError) return send(c, refuse(400, error.message));
      throw error;
    }
    return c.body(stream.subscribe(project.id, terms), 200, STREAM_HEADERS);
  });
  return routes;
}
