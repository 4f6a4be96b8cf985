/**
 * Ingest, as Sentry's (ingest.ts):
 *
 *   OPTIONS /api/<projectId>/envelope/ | /store/    CORS preflight, 204
 *   POST    /api/<projectId>/envelope/ | /store/    store the events; 200 once they are on disk
 *   other methods on those paths                     405
 *
 * Open to every origin (http/open-cors.ts) and every Host: browser SDKs post from the zones'
 * pages, and SDKs elsewhere may reach the inbox under any name (a container's host name). The
 * project's key, not the origin, says who may send.
 */

import { Hono } from 'hono';
import type { BodyLimits } from '../body.ts';
import { send, wrongMethod } from '../http/answer.ts';
import { bodyLimit } from '../http/body-limit.ts';
import { openCors } from '../http/open-cors.ts';
import { type InboxEnv, header } from '../http/request.ts';
import { type IngestContext, ingest } from '../ingest.ts';

const PATH = '/api/:projectId/:endpoint{envelope|store}';

export function ingestRoutes(context: IngestContext, limits: BodyLimits): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();

  routes.use(PATH, openCors);

  routes.post(PATH, bodyLimit(limits), async (c) => {
    const { projectId, endpoint } = c.req.param();
    const answer = await ingest(
      {
        endpoint: endpoint === 'store' ? 'store' : 'envelope',
        projectId,
        queryKey: c.req.query('sentry_key'),
        sentryAuthHeader: header(c, 'x-sentry-auth'),
        authorizationHeader: header(c, 'authorization'),
        // `c.get`, not `c.var`: `c.var` builds an object of every variable at each read.
        body: c.get('body'),
      },
      context,
    );
    return send(c, answer);
  });

  routes.all(PATH, (c) => wrongMethod(c, 'POST'));

  return routes;
}
