/**
 * Ingest, as Sentry's (ingest.ts):
 *
 *   OPTIONS /api/<projectId>/envelope/ | /store/    CORS preflight, 204
 *   POST    /api/<projectId>/envelope/ | /store/    store the events; 200 once they are on disk
 *   other methods on those paths                     405
 *
 * Open to every origin and every Host: browser SDKs post from the zones' pages (another origin)
 * and read the answer (429's Retry-After and X-Sentry-Rate-Limits), and SDKs elsewhere may reach
 * the inbox under any name (a container's host name). The project's key, not the origin, says
 * who may send.
 */

import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { BodyLimits } from '../body.ts';
import { send, wrongMethod } from '../http/answer.ts';
import { bodyLimit } from '../http/body-limit.ts';
import { type InboxEnv, header } from '../http/request.ts';
import { type IngestContext, ingest } from '../ingest.ts';

const PATH = '/api/:projectId/:endpoint{envelope|store}';

export function ingestRoutes(context: IngestContext, limits: BodyLimits): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();

  routes.use(
    PATH,
    cors({
      origin: '*',
      allowMethods: ['POST', 'OPTIONS'],
      // Empty: a preflight is granted the headers it asks for (SDKs add their own).
      allowHeaders: [],
      exposeHeaders: ['Retry-After', 'X-Sentry-Rate-Limits'],
      maxAge: 600,
    }),
  );

  routes.post(PATH, bodyLimit(limits), async (c) => {
    const answer = await ingest(
      {
        endpoint: c.req.param('endpoint') === 'store' ? 'store' : 'envelope',
        projectId: c.req.param('projectId'),
        queryKey: c.req.query('sentry_key'),
        sentryAuthHeader: header(c, 'x-sentry-auth'),
        authorizationHeader: header(c, 'authorization'),
        body: c.var.body,
      },
      context,
    );
    return send(c, answer);
  });

  routes.all(PATH, (c) => wrongMethod(c, 'POST'));

  return routes;
}
