/**
 * The inbox's HTTP server (node:http only): routing, CORS, the read token, and the wiring between
 * the store, the issue index, the live stream and the alerts.
 *
 *   OPTIONS *                                           CORS preflight (204)
 *   POST    /api/<projectId>/envelope/ | /store/        ingest (ingest.ts)
 *   GET     /api/0/projects/<org>/<project>/events/stream/   live events, SSE (stream.ts)
 *   GET     /api/0/projects/<org>/<project>/...         read API (api.ts)
 *   POST    /api/releases/<remote>/live                 move a remote's live release (release-pointer.ts)
 *   GET     /healthz                                    { "ok": true }
 *   GET     /, /teams/<p>, /issues/<p>/<id>/, /events/<p>/<id>   UI (ui/pages.ts)
 *   GET     /ui/live.js, /ui/inbox.css                  the UI's script and styles
 *
 * Every response carries `Access-Control-Allow-Origin: *`, except those of /api/releases/, which
 * only the inbox's own pages may use; every refusal of the API is JSON `{ detail }`. With a read
 * token, everything but ingest, /healthz and the UI's two files asks for it.
 */

import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertQueue, type AlertOptions, alertMessage } from './alerts.ts';
import { type ApiResponse, eventSummary, findProject, issuePath, issueView, readApi } from './api.ts';
import { ReadAuth } from './auth.ts';
import { BodyError, type BodyLimits, readBody } from './body.ts';
import type { RateLimit } from './config.ts';
import { normalizeEventId } from './envelope.ts';
import { IssueIndex } from './grouping.ts';
import { ingest } from './ingest.ts';
import { PROJECTS, projectById, projectBySlug } from './projects.ts';
import { QueryError, parseQuery } from './query.ts';
import { RateLimiter } from './rate-limit.ts';
import { MAX_RELEASE_BODY_BYTES, crossOriginRefusal, moveLivePointer, ownOrigins } from './release-pointer.ts';
import { EventStore, type StoredEvent } from './store.ts';
import { EventStream } from './stream.ts';
import {
  type UiContext,
  renderEvent,
  renderIndex,
  renderIssue,
  renderNotFound,
  renderTeam,
  renderUnauthorized,
} from './ui/pages.ts';

export interface InboxServerOptions {
  readonly dataDir: string;
  /** 0 for any free port (tests). */
  readonly port: number;
  readonly host: string;
  /** When set, the read API, the stream and the UI require it (auth.ts). */
  readonly readToken?: string;
  /** Events per project per window; none when undefined. */
  readonly rateLimit?: RateLimit;
  /** Webhooks per team and delivery settings (alerts.ts). */
  readonly alerts?: AlertOptions;
  /** Body limits, for tests; Sentry's by default (limits.ts). */
  readonly bodyLimits?: BodyLimits;
  /** The release registry (@repo/releases) a remote's team view shows and its button moves. */
  readonly registryFile: string;
}

export interface InboxServer {
  /** Opens the store (loading the events on disk), then listens; resolves with the URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, ends the streams, lets requests under way finish, then closes the store. */
  close(): Promise<void>;
  /** `http://<host>:<port>`, once listening. */
  readonly url: string;
  /** The port listened on, once listening. */
  readonly port: number;
  /** Problems met while opening the store, once listening. */
  readonly warnings: readonly string[];
  /** How many events the database holds (all projects), once listening. */
  readonly storedCount: number;
  /** The alert queue's outcomes so far. */
  readonly alertStats: { readonly delivered: number; readonly failed: number };
}

const ALLOWED_HEADERS = 'content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage';

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': ALLOWED_HEADERS,
  'Access-Control-Expose-Headers': 'Link, Retry-After, X-Sentry-Rate-Limits',
};

const HTML_HEADERS: Readonly<Record<string, string>> = {
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

/** The UI's two files, read once. */
const ASSETS: ReadonlyMap<string, { readonly type: string; readonly body: Buffer }> = new Map([
  ['live.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./ui/live.js', import.meta.url)) }],
  ['inbox.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./ui/inbox.css', import.meta.url)) }],
]);

function sendJson(response: ServerResponse, { status, body, headers }: ApiResponse): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(JSON.stringify(body));
}

function sendHtml(response: ServerResponse, status: number, markup: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...HTML_HEADERS, ...headers });
  response.end(markup);
}

function refuse(status: number, detail: string, headers?: Record<string, string>): ApiResponse {
  return { status, body: { detail }, headers };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function withoutCors(response: ServerResponse): void {
  for (const name of Object.keys(CORS_HEADERS)) response.removeHeader(name);
}

/** Path segments, percent-decoded, without the empty ones a trailing slash leaves. */
function segmentsOf(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

export function createInboxServer(options: InboxServerOptions): InboxServer {
  let store: EventStore | undefined;
  let address: AddressInfo | undefined;
  const issues = new IssueIndex();
  const stream = new EventStream();
  const auth = new ReadAuth(options.readToken);
  const rateLimiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  const alerts = new AlertQueue(options.alerts ?? { webhooks: {} });

  const server: Server = createServer((request, response) => {
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
    handle(request, response).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (response.headersSent) response.destroy();
      else sendJson(response, refuse(500, `Internal error: ${reason}`));
    });
  });

  function origin(request: IncomingMessage): string {
    const host = request.headers.host;
    return host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `http://${host}` : url();
  }

  /** The origin DSNs name (`http://localhost:<port>`), for links in alerts and streams. */
  function publicOrigin(): string {
    return `http://localhost:${address?.port ?? options.port}`;
  }

  function url(): string {
    if (!address) throw new Error('The inbox is not listening.');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Every stored event, in order: into the issue index, then to the stream and the alerts. */
  function onStored(record: StoredEvent): void {
    const { issue, change } = issues.observe(record);
    const project = projectById(record.projectId);
    if (!project) return;
    stream.publish(record, () => ({
      ...eventSummary(project, record),
      issue: issueView(project, issue, publicOrigin()),
    }));
    if (change && alerts.has(project.slug)) {
      const link = `${publicOrigin()}${issuePath(project, issue.id)}`;
      alerts.enqueue(project.slug, alertMessage(project, issue, change, record, link));
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!store || !address) throw new Error('The inbox is not listening.');
    const requestUrl = new URL(request.url ?? '/', 'http://inbox.invalid');
    const method = request.method === 'HEAD' ? 'GET' : request.method;

    if (method === 'OPTIONS') {
      request.resume();
      const [api, releases] = segmentsOf(requestUrl.pathname) ?? [];
      if (api === 'api' && releases === 'releases') {
        // No CORS for the release pointer: a preflight from another origin fails here.
        withoutCors(response);
        response.writeHead(204, { Allow: 'POST, OPTIONS' });
        response.end();
        return;
      }
      response.writeHead(204, {
        'Access-Control-Allow-Headers': header(request, 'access-control-request-headers') ?? ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      response.end();
      return;
    }

    const segments = segmentsOf(requestUrl.pathname);
    if (!segments) {
      request.resume();
      return sendJson(response, refuse(400, 'The path is not valid percent-encoding.'));
    }
    const [first, second, third, ...rest] = segments;

    // Ingest: /api/<projectId>/envelope/ and /api/<projectId>/store/
    if (first === 'api' && second !== undefined && (third === 'envelope' || third === 'store') && rest.length === 0) {
      if (method !== 'POST') {
        request.resume();
        return sendJson(response, refuse(405, `Use POST for ${requestUrl.pathname}.`, { Allow: 'POST, OPTIONS' }));
      }
      let body: Buffer;
      try {
        body = await readBody(request, header(request, 'content-encoding'), options.bodyLimits);
      } catch (error) {
        if (error instanceof BodyError) return sendJson(response, refuse(error.status, error.message));
        throw error;
      }
      const result = await ingest(
        {
          endpoint: third,
          projectId: second,
          queryKey: requestUrl.searchParams.get('sentry_key') ?? undefined,
          sentryAuthHeader: header(request, 'x-sentry-auth'),
          authorizationHeader: header(request, 'authorization'),
          body,
        },
        { store, rateLimiter },
      );
      return sendJson(response, result);
    }

    // The Releases panel's buttons: POST /api/releases/<remote>/live (release-pointer.ts).
    if (first === 'api' && second === 'releases') {
      withoutCors(response);
      if (third === undefined || rest.length !== 1 || rest[0] !== 'live') {
        request.resume();
        return sendJson(response, refuse(404, `Nothing at ${requestUrl.pathname}; POST /api/releases/<remote>/live moves a live pointer.`));
      }
      if (method !== 'POST') {
        request.resume();
        return sendJson(response, refuse(405, `Use POST for ${requestUrl.pathname}.`, { Allow: 'POST, OPTIONS' }));
      }
      const crossOrigin = crossOriginRefusal(
        { host: header(request, 'host'), origin: header(request, 'origin'), secFetchSite: header(request, 'sec-fetch-site') },
        ownOrigins(options.host, address.port),
      );
      if (crossOrigin) {
        request.resume();
        return sendJson(response, refuse(403, crossOrigin));
      }
      let body: Buffer;
      try {
        body = await readBody(request, header(request, 'content-encoding'), {
          maxRawBytes: MAX_RELEASE_BODY_BYTES,
          maxDecodedBytes: MAX_RELEASE_BODY_BYTES,
        });
      } catch (error) {
        if (error instanceof BodyError) return sendJson(response, refuse(error.status, error.message));
        throw error;
      }
      const answer = moveLivePointer(
        { remote: third, contentType: header(request, 'content-type'), authorization: header(request, 'authorization'), body },
        { registryFile: options.registryFile, auth },
      );
      if ('location' in answer) {
        response.writeHead(303, { Location: answer.location, 'Cache-Control': 'no-store' });
        response.end();
        return;
      }
      return sendJson(response, answer);
    }

    request.resume();
    if (method !== 'GET') {
      return sendJson(response, refuse(405, `Use GET for ${requestUrl.pathname}.`, { Allow: 'GET, HEAD, OPTIONS' }));
    }

    if (first === 'healthz' && second === undefined) {
      return sendJson(response, { status: 200, body: { ok: true } });
    }
    const asset = first === 'ui' && third === undefined && second !== undefined ? ASSETS.get(second) : undefined;
    if (asset) {
      response.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
      response.end(asset.body);
      return;
    }

    const isApi = first === 'api';
    const isStream = isApi && second === '0' && third === 'projects' && rest.length === 4 && rest[2] === 'events' && rest[3] === 'stream';
    // The token may come as ?token= only where a browser cannot set a header: pages and EventSource.
    const queryToken = isApi && !isStream ? null : requestUrl.searchParams.get('token');
    if (!auth.allows(header(request, 'authorization'), queryToken)) {
      const challenge = { 'WWW-Authenticate': 'Bearer realm="inbox"' };
      if (isApi) return sendJson(response, refuse(401, 'This inbox requires its read token: Authorization: Bearer <token>.', challenge));
      return sendHtml(response, 401, renderUnauthorized(), challenge);
    }

    if (isStream) {
      const [org = '', slug = ''] = rest;
      const project = findProject(org, slug);
      if (!('slug' in project)) return sendJson(response, project);
      try {
        stream.subscribe(project.id, parseQuery(requestUrl.searchParams.get('query') ?? ''), response);
      } catch (error) {
        if (error instanceof QueryError) return sendJson(response, refuse(400, error.message));
        throw error;
      }
      return;
    }
    if (isApi && second === '0' && third === 'projects') {
      const result = readApi(rest, requestUrl, { store, origin: origin(request), port: address.port });
      if (result) return sendJson(response, result);
      return sendJson(response, refuse(404, `Nothing at ${requestUrl.pathname}.`));
    }
    if (isApi) return sendJson(response, refuse(404, `Nothing at ${requestUrl.pathname}.`));

    const ui: UiContext = {
      store,
      issues,
      port: address.port,
      token: auth.required ? (requestUrl.searchParams.get('token') ?? undefined) : undefined,
      registryFile: options.registryFile,
    };
    const project = second === undefined ? undefined : projectBySlug(second);
    if (first === undefined) return sendHtml(response, 200, renderIndex(ui));
    if (first === 'teams' && third === undefined) {
      if (project) return sendHtml(response, 200, renderTeam(ui, project));
      return sendHtml(response, 404, renderNotFound(ui, `No team ${second ?? ''}.`));
    }
    if (first === 'issues' && third !== undefined && rest.length === 0) {
      const issue = project && issues.issue(project.id, third);
      if (project && issue) return sendHtml(response, 200, renderIssue(ui, project, issue));
      return sendHtml(response, 404, renderNotFound(ui, `No issue ${third} in project ${second ?? ''}.`));
    }
    if (first === 'events' && third !== undefined && rest.length === 0) {
      const eventId = normalizeEventId(third);
      const record = project && eventId !== undefined ? store.get(project.id, eventId) : undefined;
      if (project && record) return sendHtml(response, 200, renderEvent(ui, project, record));
      return sendHtml(response, 404, renderNotFound(ui, `No event ${third} in project ${second ?? ''}.`));
    }
    return sendHtml(response, 404, renderNotFound(ui, `Nothing at ${requestUrl.pathname}.`));
  }

  return {
    async listen() {
      if (address) return url();
      const opened = await EventStore.open(options.dataDir);
      for (const project of PROJECTS) for (const record of opened.events(project.id)) issues.observe(record);
      opened.onStored(onStored);
      store = opened;
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(options.port, options.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        await opened.close();
        store = undefined;
        throw error;
      }
      address = server.address() as AddressInfo;
      return url();
    },

    async close() {
      stream.close();
      if (server.listening) {
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      }
      await alerts.close();
      await store?.close();
    },

    get url() {
      return url();
    },
    get port() {
      if (!address) throw new Error('The inbox is not listening.');
      return address.port;
    },
    get warnings() {
      return store?.warnings ?? [];
    },
    get storedCount() {
      if (!store) throw new Error('The inbox is not listening.');
      return store.count();
    },
    get alertStats() {
      return { ...alerts.stats };
    },
  };
}
