/**
 * The deploy console accepts requests from the inbox's own pages only. The inbox has no login
 * and listens on loopback, so any page the developer has open could try to post here (CSRF),
 * including, through DNS rebinding, under a name of the attacker's that resolves to 127.0.0.1.
 * The inbox's own origins are its loopback names and its configured host at its port (never
 * taken from the request). A request is refused (403) when
 *
 * - its `Host` is not one of them (DNS rebinding: the browser sends the attacker's name; the
 *   inbox's Host check refuses foreign names before, this also refuses another port);
 * - `Sec-Fetch-Site` says it comes from another site (`cross-site`) or from another origin of
 *   the same site (`same-site`, e.g. a zone's page at http://localhost:3000: the zones may read
 *   the inbox, not move its pointers);
 * - its `Origin` is present and not one of them. One exception: `Origin: null` with
 *   `Sec-Fetch-Site: same-origin`, which is what browsers send for the panel's own form, because
 *   the inbox's pages have `Referrer-Policy: no-referrer` (a POST under that policy carries an
 *   opaque origin). Sec-Fetch-* cannot be set by a page, and rebinding is stopped by `Host`.
 *
 * Browsers send `Origin` on every POST; clients without one (curl, tests) are not browsers.
 * No answer of the console carries CORS headers, so no other origin may read one either.
 */

import { createMiddleware } from 'hono/factory';
import { refuse, send } from '../http/answer.ts';
import { type InboxEnv, header } from '../http/request.ts';

/**
 * The origins the inbox's own pages have: `http://localhost:<port>`, `http://127.0.0.1:<port>`,
 * `http://[::1]:<port>`, and `http://<host>:<port>` for the configured host unless it is a
 * wildcard address (0.0.0.0, ::).
 */
export function ownOrigins(host: string, port: number): string[] {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare !== '' && bare !== '0.0.0.0' && bare !== '::') names.push(bare.includes(':') ? `[${bare}]` : bare);
  const origins = new Set<string>();
  for (const name of names) {
    try {
      origins.add(new URL(`http://${name}:${port}`).origin);
    } catch {
      // Not a host name a URL can hold: no page can have that origin.
    }
  }
  return [...origins];
}

function originOfHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    return undefined;
  }
}

export interface SourceHeaders {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
}

/** Why a request must be refused as coming from another origin or site (403); undefined when not. */
export function crossOriginRefusal(headers: SourceHeaders, own: readonly string[]): string | undefined {
  const only = "only the inbox's own pages may move a release pointer.";
  const host = headers.host?.trim();
  if (host !== undefined && !own.includes(originOfHost(host) ?? '')) {
    return `Refused: Host ${JSON.stringify(host)} is not the inbox's (${own.join(', ')}); ${only}`;
  }
  const site = headers.secFetchSite?.trim().toLowerCase();
  if (site === 'cross-site' || site === 'same-site') {
    return `Refused: this request comes from another ${site === 'cross-site' ? 'site' : 'origin'} (Sec-Fetch-Site: ${site}); ${only}`;
  }
  const origin = headers.origin?.trim();
  if (origin === 'null' && site === 'same-origin') return undefined;
  if (origin !== undefined && !own.includes(origin)) {
    return `Refused: Origin ${JSON.stringify(origin)} is not the inbox's own (${own.join(', ')}); ${only}`;
  }
  return undefined;
}

/** Refuses (403, with the reason) what does not come from the inbox's own pages; `own` is read per request. */
export function sameOriginOnly(own: () => readonly string[]) {
  return createMiddleware<InboxEnv>(async (c, next) => {
    const refusal = crossOriginRefusal(
      { host: header(c, 'host'), origin: header(c, 'origin'), secFetchSite: header(c, 'sec-fetch-site') },
      own(),
    );
    if (refusal) return send(c, refuse(403, refusal));
    return next();
  });
}
