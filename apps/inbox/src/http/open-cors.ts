/**
 * CORS for ingest: any origin may post and read the answer. Browser SDKs post from the zones'
 * pages, and read 429's Retry-After and X-Sentry-Rate-Limits to back off. The project's key, not
 * the origin, says who may send.
 *
 * Preflights are answered here (204, the methods, the headers asked for). Other answers get the
 * CORS headers through the variable `answerHeaders`, which answer.ts's send adds, rather than through
 * hono/cors: that one sets them on `c.res` before the handler runs, and Hono then rebuilds the
 * handler's answer as a web Response with a web stream for its body, which costs ingest a fifth
 * of its throughput (measured with the benchmark).
 */

import { createMiddleware } from 'hono/factory';
import { header } from './request.ts';
import type { InboxEnv } from './request.ts';

const ANSWER_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After, X-Sentry-Rate-Limits',
};

/** What SDKs send, for a preflight that names no headers. */
const DEFAULT_ALLOWED_HEADERS = 'content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage';

export const openCors = createMiddleware<InboxEnv>(async (c, next) => {
  if (c.req.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: {
        ...ANSWER_HEADERS,
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        // Any header the SDK asks for: it authenticates with its key, not with credentials.
        'Access-Control-Allow-Headers': header(c, 'access-control-request-headers') ?? DEFAULT_ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      },
    });
  }
  c.set('answerHeaders', ANSWER_HEADERS);
  await next();
});
