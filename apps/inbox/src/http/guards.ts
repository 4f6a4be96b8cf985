/** Two small rules of the read side's requests, as middleware. */

import { createMiddleware } from 'hono/factory';
import { refuse, send, wrongMethod } from './answer.ts';
import type { InboxEnv } from './request.ts';

/** 400 for a path that is not valid percent-encoding: it names nothing; say so rather than guess. */
export const validPath = createMiddleware<InboxEnv>(async (c, next) => {
  if (c.req.url.includes('%')) {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return send(c, refuse(400, 'The path is not valid percent-encoding.'));
    }
  }
  return next();
});

/** 405 for anything but GET and HEAD (preflights are answered before, by CORS). */
export const readOnly = createMiddleware<InboxEnv>(async (c, next) =>
  c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : wrongMethod(c, 'GET'),
);
