/**
 * What the inbox's handlers answer: a status, a JSON body and headers, built by the modules that
 * know the protocol (ingest, the read API, the console) without knowing the HTTP framework, and
 * sent here. Every refusal is `{ "detail": "<reason>" }`, as Sentry's API answers.
 */

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function refuse(status: number, detail: string, headers?: Readonly<Record<string, string>>): ApiResponse {
  return { status, body: { detail }, headers };
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
};

/** Sends `answer` as JSON; headers set by middleware before (CORS) are kept. */
export function send(c: Context, { status, body, headers }: ApiResponse): Response {
  // The protocol modules answer with numbers; every status they use has a body.
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS);
}

/** The path as the client wrote it (the router's path has lost its trailing slash), for messages. */
export function pathOf(c: Context): string {
  return new URL(c.req.url).pathname;
}

/** `405` naming the methods the path takes. */
export function wrongMethod(c: Context, allow: 'POST' | 'GET'): Response {
  const methods = allow === 'POST' ? 'POST, OPTIONS' : 'GET, HEAD, OPTIONS';
  return send(c, refuse(405, `Use ${allow} for ${pathOf(c)}.`, { Allow: methods }));
}

/** `404` for an API path that is not one. */
export function nothingAt(c: Context): Response {
  return send(c, refuse(404, `Nothing at ${pathOf(c)}.`));
}
