/**
 * Who may read the inbox from another origin. Events carry what users typed, URLs, stack traces:
 * any page the developer has open must not be able to fetch them. The read API, the stream, the
 * UI and the keys answer another origin only when it is allowlisted: the zones' own origins
 * (from the topology, so their pages may show live events, e.g. the lab) and
 * `INBOX_ALLOWED_ORIGINS`. An allowlisted origin gets `Access-Control-Allow-Origin: <origin>`
 * (hono/cors); any other `Origin`, preflight or not, is refused with 403 and the reason, before
 * the route runs, so nothing is read on its behalf.
 *
 * Requests without `Origin` pass: curl, scripts, tests, and the inbox's own pages (browsers send
 * no Origin on same-origin GETs); so does an `Origin` equal to the request's own (`http://<Host>`,
 * whose Host the Host check has already accepted).
 */

import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { refuse, send } from './answer.ts';
import { type InboxEnv, header } from './request.ts';

/** `http://localhost:3000` from `http://localhost:3000/`; throws for what is not an http(s) origin. */
export function normalizeOrigin(text: string): string {
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${text} is not an http(s) origin`);
  return url.origin;
}

function foreignOrigins(allowed: ReadonlySet<string>) {
  return createMiddleware<InboxEnv>(async (c, next) => {
    const origin = header(c, 'origin');
    if (origin === undefined || allowed.has(origin) || origin === `http://${header(c, 'host') ?? ''}`) return next();
    return send(
      c,
      refuse(
        403,
        `Refused: pages of ${JSON.stringify(origin)} may not read this inbox; only its own pages and the origins of ` +
          'INBOX_ALLOWED_ORIGINS (and the zones) may.',
      ),
    );
  });
}

/** The read side's cross-origin policy: refuse other origins, grant CORS to the allowlisted ones. */
export function readOrigins(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return [
    foreignOrigins(allowed),
    cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'OPTIONS'],
      // Bearer tokens from a script; Last-Event-ID from a reconnecting EventSource.
      allowHeaders: ['authorization', 'last-event-id'],
      exposeHeaders: ['Link'],
      maxAge: 600,
    }),
  ] as const;
}
