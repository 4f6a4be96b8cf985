/**
 * Body limits as middleware: reads the body, undoing its Content-Encoding, within the limits
 * (body.ts), before the handler runs, which finds it as `c.get('body')`. Hono's own bodyLimit
 * counts the bytes received only; a small gzip can inflate to gigabytes, so the decoded size is
 * limited too, as it streams. Refusals: 413 past a limit, 415 an unknown encoding, 400 data
 * that is not what its encoding says.
 */

import { createMiddleware } from 'hono/factory';
import { BodyError, type BodyLimits, readBody } from '../body.ts';
import { refuse, send } from './answer.ts';
import { type InboxEnv, header } from './request.ts';

export interface WithBody extends InboxEnv {
  Variables: InboxEnv['Variables'] & { body: Buffer };
}

export function bodyLimit(limits: BodyLimits) {
  return createMiddleware<WithBody>(async (c, next) => {
    let body: Buffer;
    try {
      body = await readBody(c.env.incoming, header(c, 'content-encoding'), limits);
    } catch (error) {
      if (error instanceof BodyError) return send(c, refuse(error.status, error.message));
      throw error;
    }
    c.set('body', body);
    await next();
  });
}
