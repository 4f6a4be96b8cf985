/**
 * The visitor a request comes from: the `mf_visitor` cookie, or a new id set on the response when
 * the request has none (or one that is not ours). Ports do not isolate cookies, so home and
 * checkout share it and a visitor keeps one bucket, and so one release, across the zones.
 * HttpOnly: the browser never needs it, the release it got travels in the page's props.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newVisitorId, VISITOR_COOKIE } from '@repo/releases';

const ONE_YEAR_S = 31_536_000;
const VISITOR_ID = /^[0-9a-f]{32}$/;

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export function visitorOf(request: IncomingMessage, response: ServerResponse | undefined): string {
  const known = cookieOf(request, VISITOR_COOKIE);
  if (known && VISITOR_ID.test(known)) return known;
  const visitor = newVisitorId();
  if (response && !response.headersSent) {
    response.appendHeader('Set-Cookie', `${VISITOR_COOKIE}=${visitor}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax; HttpOnly`);
  }
  return visitor;
}
