/**
 * What the inbox's handlers answer: a status, a JSON body and headers, built by the modules that
 * know the protocol (ingest, the read API, the console) without knowing the HTTP framework, and
 * sent here. Every refusal is `{ "detail": "<reason>" }`, as Sentry's API answers.
 */

import type { Context } from 'hono';
import type { InboxEnv } from './request.ts';

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

/**
 * `answer` as JSON, with the headers a middleware asked for in the variable `answerHeaders`. The headers
 * stay a plain object all the way to Node's response (no web `Headers`, no copy of the body into
 * a web stream): this is the ingest path, which the benchmark measures. Headers that middleware
 * set on `c.res` (hono/cors) are merged in by Hono.
 */
export function send<E extends InboxEnv>(c: Context<E>, { status, body, headers }: ApiResponse): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...c.get('answerHeaders'), ...headers } });
}

/** The path as the client wrote it (the router's path has lost its trailing slash), for messages. */
export function pathOf(c: Context): string {
  return new URL(c.req.url).pathname;
}

/** `405` naming the methods the path takes. */
export function wrongMethod<E extends InboxEnv>(c: Context<E>, allow: 'POST' | 'GET'): Response {
  const methods = allow === 'POST' ? 'POST, OPTIONS' : 'GET, HEAD, OPTIONS';
  return send(c, refuse(405, `Use ${allow} for ${pathOf(c)}.`, { Allow: methods }));
}

/** `404` for an API path that is not one. */
export function nothingAt<E extends InboxEnv>(c: Context<E>): Response {
  return send(c, refuse(404, `Nothing at ${pathOf(c)}.`));
}
