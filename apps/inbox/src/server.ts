/**
 * The inbox's HTTP server (node:http only): routing, CORS, and the plumbing between requests and
 * the ingest, read API and UI modules.
 *
 *   OPTIONS *                                          CORS preflight (204)
 *   POST    /api/<projectId>/envelope/ | /store/       ingest (ingest.ts)
 *   GET     /api/0/projects/<org>/<project>/...        read API (api.ts)
 *   GET     /healthz                                   { "ok": true }
 *   GET     /  and  /events/<project>/<event_id>       UI (ui.ts)
 *
 * Every response carries `Access-Control-Allow-Origin: *`; every refusal is JSON `{ detail }`.
 */

import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiResponse, readApi } from './api.ts';
import { BodyError, readBody } from './body.ts';
import { normalizeEventId } from './envelope.ts';
import { ingest } from './ingest.ts';
import { projectBySlug } from './projects.ts';
import { EventStore } from './store.ts';
import { renderEvent, renderIndex, renderNotFound } from './ui.ts';

export interface InboxServerOptions {
  readonly dataDir: string;
  /** 0 for any free port (tests). */
  readonly port: number;
  readonly host: string;
}

export interface InboxServer {
  /** Opens the store (loading the events on disk), then listens; resolves with the URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, lets those under way finish, then closes the store. */
  close(): Promise<void>;
  /** `http://<host>:<port>`, once listening. */
  readonly url: string;
  /** The port listened on, once listening. */
  readonly port: number;
  /** Problems met while loading the store (skipped lines), once listening. */
  readonly warnings: readonly string[];
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
  // Event text is attacker-controlled: even if something escaped the escaping, no script runs.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function sendJson(response: ServerResponse, { status, body, headers }: ApiResponse): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(JSON.stringify(body));
}

function sendHtml(response: ServerResponse, status: number, markup: string): void {
  response.writeHead(status, HTML_HEADERS);
  response.end(markup);
}

function refuse(status: number, detail: string, headers?: Record<string, string>): ApiResponse {
  return { status, body: { detail }, headers };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
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

  function url(): string {
    if (!address) throw new Error('The inbox is not listening.');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!store || !address) throw new Error('The inbox is not listening.');
    const requestUrl = new URL(request.url ?? '/', 'http://inbox.invalid');
    const method = request.method === 'HEAD' ? 'GET' : request.method;

    if (method === 'OPTIONS') {
      response.writeHead(204, {
        'Access-Control-Allow-Headers': header(request, 'access-control-request-headers') ?? ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      response.end();
      return;
    }

    const segments = segmentsOf(requestUrl.pathname);
    if (!segments) return sendJson(response, refuse(400, 'The path is not valid percent-encoding.'));
    const [first, second, third, ...rest] = segments;

    // Ingest: /api/<projectId>/envelope/ and /api/<projectId>/store/
    if (first === 'api' && second !== undefined && (third === 'envelope' || third === 'store') && rest.length === 0) {
      if (method !== 'POST') {
        request.resume();
        return sendJson(response, refuse(405, `Use POST for ${requestUrl.pathname}.`, { Allow: 'POST, OPTIONS' }));
      }
      let body: Buffer;
      try {
        body = await readBody(request);
      } catch (error) {
        if (error instanceof BodyError) return sendJson(response, refuse(error.status, error.message));
        throw error;
      }
      const result = await ingest(
        {
          endpoint: third,
          projectId: second,
          queryKey: requestUrl.searchParams.get('sentry_key') ?? undefined,
          authHeader: header(request, 'x-sentry-auth') ?? header(request, 'authorization'),
          contentEncoding: header(request, 'content-encoding'),
          body,
        },
        store,
      );
      return sendJson(response, result);
    }

    request.resume();
    if (method !== 'GET') {
      return sendJson(response, refuse(405, `Use GET for ${requestUrl.pathname}.`, { Allow: 'GET, HEAD, OPTIONS' }));
    }

    if (first === 'api' && second === '0' && third === 'projects') {
      const result = readApi(rest, requestUrl, { store, origin: origin(request), port: address.port });
      if (result) return sendJson(response, result);
    } else if (first === 'healthz' && second === undefined) {
      return sendJson(response, { status: 200, body: { ok: true } });
    } else if (first === undefined) {
      return sendHtml(response, 200, renderIndex(store, address.port));
    } else if (first === 'events' && second !== undefined && third !== undefined && rest.length === 0) {
      const project = projectBySlug(second);
      const eventId = normalizeEventId(third);
      const record = project && eventId !== undefined ? store.get(project.id, eventId) : undefined;
      if (project && record) return sendHtml(response, 200, renderEvent(project, record));
      return sendHtml(response, 404, renderNotFound(`No event ${third} in project ${second}.`));
    }
    return sendJson(response, refuse(404, `Nothing at ${requestUrl.pathname}.`));
  }

  return {
    async listen() {
      if (address) return url();
      store = await EventStore.open(options.dataDir);
      const opened = store;
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
      if (server.listening) {
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      }
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
  };
}
