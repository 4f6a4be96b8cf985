/**
 * The inbox's routes, in the order they apply: each middleware line guards every route below it.
 *
 *   POST    /api/<projectId>/envelope/ | /store/           ingest, open to all (routes/ingest.ts)
 *   ──      400 for a path that is not percent-encoding (http/guards.ts)
 *   ──      Host check: 421 for a name that is not the inbox's (http/host-check.ts)
 *   POST    /api/releases/<remote>/live                    deploy console, own pages only (console/)
 *   GET     /api/0/organizations/<org>/chunk-upload/       source-map uploads (sentry-cli): upload token,
 *   POST    /api/0/organizations/<org>/chunk-upload/         never from pages (routes/artifacts.ts)
 *   POST    /api/0/organizations/<org>/artifactbundle/assemble/
 *   ──      cross-origin reads: allowlisted origins only, 403 for others (http/origins.ts)
 *   ──      GET only from here: 405 for other methods (http/guards.ts)
 *   GET     /healthz                                       { "ok": true }
 *   GET     /api/0/projects/<org>/<project>/events/stream/ live events, token or ?token= (routes/stream.ts)
 *   ──      read token, header only, on /api/ (http/read-token.ts)
 *   GET     /api/0/projects/<org>/<project>/...            read API (routes/read-api.ts)
 *   GET     /api/0/organizations/<org>/sessions/           release health (routes/sessions-api.ts)
 *   GET     /api/0/organizations/<org>/trace/<trace_id>/   one trace across projects (routes/trace-api.ts)
 *   GET     /api/... anything else                         404 { detail }
 *   GET     /ui/live.js, /ui/inbox.css; /, /teams/<owner>, /issues/..., /events/..., /traces/...   UI (routes/ui.ts)
 *
 * Why Hono: its router takes this table as declarations, and CORS, the token, the Host check and
 * the body limits as middleware, instead of a hand-written tree of path checks; it is small,
 * has no dependencies, is kept by a busy team, and runs on Node through @hono/node-server, which
 * hands handlers Node's request so ingest bodies stream straight into body.ts's limits. (Hono is
 * also what Spotlight, the benchmark's other receiver, is built on.)
 */

import { Hono } from 'hono';
import { PatternRouter } from 'hono/router/pattern-router';
import type { ArtifactStore } from './artifacts/store.ts';
import type { BodyLimits } from './body.ts';
import type { DeployConsole } from './console/routes.ts';
import type { IssueIndex } from './grouping.ts';
import { nothingAt, refuse, send } from './http/answer.ts';
import { readOnly, validPath } from './http/guards.ts';
import { type HostNames, hostCheck } from './http/host-check.ts';
import { readOrigins } from './http/origins.ts';
import { type ReadAuth, readToken } from './http/read-token.ts';
import type { InboxEnv } from './http/request.ts';
import type { IngestContext } from './ingest.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { artifactRoutes } from './routes/artifacts.ts';
import { readApiRoutes } from './routes/read-api.ts';
import { sessionsApiRoutes } from './routes/sessions-api.ts';
import { streamRoutes } from './routes/stream.ts';
import { traceApiRoutes } from './routes/trace-api.ts';
import { uiRoutes } from './routes/ui.ts';
import type { EventStore } from './store.ts';
import type { EventStream } from './stream.ts';

export interface AppContext extends IngestContext {
  readonly store: EventStore;
  readonly issues: IssueIndex;
  readonly stream: EventStream;
  readonly auth: ReadAuth;
  /** Source-map bundles by debug ID (the symbolicator's ArtifactLookup) and the upload API's store. */
  readonly artifacts: ArtifactStore;
  /** The upload token sentry-cli presents (INBOX_UPLOAD_TOKEN). */
  readonly uploadAuth: ReadAuth;
  readonly bodyLimits: BodyLimits;
  /** The names the inbox answers to (loopback, INBOX_HOST, the allowlisted origins'). */
  readonly hostNames: HostNames;
  /** Origins whose pages may read the inbox: the zones', INBOX_ALLOWED_ORIGINS. */
  readonly allowedOrigins: readonly string[];
  readonly deployConsole: DeployConsole;
  /** The port the inbox listens on, once it does (DSNs). */
  readonly site: { readonly port: number };
}

export function createApp(context: AppContext): Hono<InboxEnv> {
  const { store, issues, stream, auth, site } = context;
  const app = new Hono<InboxEnv>({
    // `/teams/shop` and `/teams/shop/` are one path: Sentry's trailing slashes are optional here.
    strict: false,
    // Hono's fastest router, RegExpRouter, refuses this table (a fixed segment beside a
    // parameter: /api/releases and /api/<projectId>, events/stream and events/<event_id>); of
    // those that take it, PatternRouter matches ingest's path fastest (1.6 µs against 8.6 µs for
    // the default's fallback, TrieRouter, measured on this table).
    router: new PatternRouter(),
  });

  app.route('/', ingestRoutes(context, context.bodyLimits));

  app.use('*', validPath, hostCheck(context.hostNames));
  app.route('/api/releases', context.deployConsole.routes);
  // Before the read side's rules: uploads are POSTs, carry their own token, and never come from pages.
  app.route('/api/0/organizations', artifactRoutes(context));

  app.use('*', ...readOrigins(context.allowedOrigins), readOnly);
  app.get('/healthz', (c) => send(c, { status: 200, body: { ok: true } }));
  app.route('/api/0/projects', streamRoutes(stream, auth));
  app.use('/api/*', readToken(auth, { query: false }));
  app.route('/api/0/projects', readApiRoutes({ store, site }));
  app.route('/api/0/organizations', sessionsApiRoutes({ sessions: store.sessions }));
  app.route('/api/0/organizations', traceApiRoutes({ store, issues }));
  app.get('/api/*', nothingAt);
  app.route('/', uiRoutes({ store, issues, auth, site, teamPanel: context.deployConsole.panel }));

  app.onError((error, c) => {
    const reason = error instanceof Error ? error.message : String(error);
    return send(c, refuse(500, `Internal error: ${reason}`));
  });
  return app;
}
