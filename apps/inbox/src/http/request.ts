/**
 * The inbox runs on Node through @hono/node-server, so a handler can reach the Node request
 * (`c.env.incoming`): its body streams straight into body.ts's limits, and its headers are read
 * from Node's object without building a web `Headers` on the ingest path.
 */

import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/** The environment of every route: Node's request and response. */
export interface InboxEnv {
  Bindings: HttpBindings;
  Variables: {
    /** Headers a middleware puts on the route's answer (answer.ts's send adds them). */
    answerHeaders: Readonly<Record<string, string>> | undefined;
  };
}

/** A request header, several values joined as HTTP joins them. */
export function header<E extends InboxEnv>(c: Context<E>, name: string): string | undefined {
  const value = c.env.incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The origin the client reached the inbox at (`http://localhost:9000`), for absolute links. */
export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}
