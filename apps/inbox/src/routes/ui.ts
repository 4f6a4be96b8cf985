/**
 * The developer's pages (ui/pages.ts), mounted at `/`:
 *
 *   GET /ui/live.js, /ui/inbox.css         the live view's script and the styles (no token)
 *   GET /ui/tokens.css                     the store's design tokens (@repo/design), served as is
 *   GET /                                  every team, live
 *   GET /teams/<owner>                     one team, live (a remote's also shows the console's panel)
 *   GET /issues/<project>/<issue_id>/      one issue
 *   GET /events/<project>/<event_id>       one event
 *   GET /traces/<trace_id>                 one trace across projects, a waterfall
 *   GET anything else                      404 page
 *
 * With a read token, pages take `?token=` (a browser's address bar cannot send a header) and
 * carry it into their links.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { normalizeEventId } from '../envelope.ts';
import { pathOf } from '../http/answer.ts';
import { type ReadAuth, readToken } from '../http/read-token.ts';
import type { InboxEnv } from '../http/request.ts';
import type { IssueIndex } from '../grouping.ts';
import { projectBySlug } from '../projects.ts';
import { normalizeTraceId, traceOf } from '../spans/trace.ts';
import type { EventStore } from '../store.ts';
import {
  type TeamPanel,
  type UiContext,
  renderEvent,
  renderIndex,
  renderIssue,
  renderNotFound,
  renderTeam,
  renderUnauthorized,
} from '../ui/pages.ts';
import { renderTrace } from '../ui/trace-page.ts';

export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  // Event text is attacker-controlled: even if something escaped the escaping, no inline script
  // or style runs. The live view needs only its own script file and its own stream; forms may
  // post only to the inbox (the Releases panel's buttons).
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  // Pages may carry ?token= in their URL: never send it on as a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * The UI's files, read once. The design tokens are the zones' own file (the same team colours and
 * type everywhere), read from the package rather than copied, so the inbox follows the store's look.
 */
const ASSETS: ReadonlyMap<string, { readonly type: string; readonly body: Buffer }> = new Map([
  ['live.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('../ui/live.js', import.meta.url)) }],
  ['inbox.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('../ui/inbox.css', import.meta.url)) }],
  ['tokens.css', { type: 'text/css; charset=utf-8', body: readFileSync(createRequire(import.meta.url).resolve('@repo/design/tokens.css')) }],
]);

function page(c: Context, status: ContentfulStatusCode, markup: string, headers: Readonly<Record<string, string>> = {}): Response {
  return c.body(markup, status, { ...HTML_HEADERS, ...headers });
}

export interface UiRoutesContext {
  readonly store: EventStore;
  readonly issues: IssueIndex;
  readonly auth: ReadAuth;
  /** The port the inbox listens on, for DSNs. */
  readonly site: { readonly port: number };
  /** What a team's view shows besides its events (the console's Releases panel). */
  readonly teamPanel?: TeamPanel;
}

export function uiRoutes({ store, issues, auth, site, teamPanel }: UiRoutesContext): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();
  const ui = (c: Context): UiContext => ({
    store,
    issues,
    port: site.port,
    token: auth.required ? c.req.query('token') : undefined,
  });

  routes.get('/ui/:file', async (c, next) => {
    const asset = ASSETS.get(c.req.param('file'));
    if (!asset) return next();
    return c.body(new Uint8Array(asset.body), 200, {
      'Content-Type': asset.type,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  routes.use('*', readToken(auth, { query: true, page: (c, headers) => page(c, 401, renderUnauthorized(), headers) }));

  routes.get('/', (c) => page(c, 200, renderIndex(ui(c))));

  routes.get('/teams/:owner', async (c) => {
    const project = projectBySlug(c.req.param('owner'));
    if (project) {
      const context = ui(c);
      return page(c, 200, renderTeam(context, project, (await teamPanel?.(project.slug, context.token)) ?? ''));
    }
    return page(c, 404, renderNotFound(ui(c), `No team ${c.req.param('owner')}.`));
  });

  routes.get('/issues/:project/:issueId', (c) => {
    const { project: slug, issueId } = c.req.param();
    const project = projectBySlug(slug);
    const issue = project && issues.issue(project.id, issueId);
    if (project && issue) return page(c, 200, renderIssue(ui(c), project, issue));
    return page(c, 404, renderNotFound(ui(c), `No issue ${issueId} in project ${slug}.`));
  });

  routes.get('/events/:project/:eventId', (c) => {
    const { project: slug, eventId: rawId } = c.req.param();
    const project = projectBySlug(slug);
    const eventId = normalizeEventId(rawId);
    const record = project && eventId !== undefined ? store.get(project.id, eventId) : undefined;
    if (project && record) return page(c, 200, renderEvent(ui(c), project, record));
    return page(c, 404, renderNotFound(ui(c), `No event ${rawId} in project ${slug}.`));
  });

  routes.get('/traces/:traceId', (c) => {
    const rawId = c.req.param('traceId');
    const traceId = normalizeTraceId(rawId);
    const trace = traceId === undefined ? undefined : traceOf(store, traceId);
    if (trace && (trace.spans.length > 0 || trace.errors.length > 0)) return page(c, 200, renderTrace(ui(c), trace));
    return page(c, 404, renderNotFound(ui(c), `No trace ${rawId}: nothing of it has been received.`));
  });

  routes.get('*', (c) => page(c, 404, renderNotFound(ui(c), `Nothing at ${pathOf(c)}.`)));

  return routes;
}
