/**
 * Helpers for the deploy console's tests (not a test file itself): an inbox whose release
 * registry is a temporary file, releases that answer (or not) as a canary needs, and requests
 * as the Releases panel's forms and as tools send them.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { remoteEntryPath } from '@repo/topology';
import type { InboxServerOptions } from '../server.ts';
import { type Running, start, tempDir } from '../testing.ts';

export const REGISTRY = {
  shop: {
    live: '1.1.0',
    releases: {
      '1.0.0': { origin: 'http://localhost:3001', registeredAt: '2025-01-01T10:00:00.000Z' },
      '1.1.0': { origin: 'http://localhost:3011', registeredAt: '2025-01-01T11:00:00.000Z' },
    },
    moves: [
      { from: null, to: '1.0.0', at: '2025-01-01T10:00:00.000Z', by: 'start' },
      { from: '1.0.0', to: '1.1.0', at: '2025-01-01T11:00:01.000Z', by: 'deploy' },
    ],
  },
};

/** An inbox whose registry file holds `content` (JSON, or text as is; null: no file at all). */
export async function withRegistry(
  content: unknown = REGISTRY,
  options: Partial<InboxServerOptions> = {},
): Promise<Running & { file: string }> {
  const file = join(await tempDir('inbox-registry-'), 'registry.json');
  if (content !== null) writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  const run = await start({ registryFile: file, ...options });
  return { ...run, file };
}

/** A release's server: answers its browser entry with 200 (or `status`), counting the requests. */
export interface ReleaseServer {
  readonly origin: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

const servers: Server[] = [];

export async function releaseServer(status = 200): Promise<ReleaseServer> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    const found = request.url === remoteEntryPath('browser');
    response.writeHead(found ? status : 404, { 'content-type': 'text/javascript' });
    response.end(found ? '/* remote entry */' : '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An origin nothing listens at: a port taken from the system and given back. */
export async function silentOrigin(): Promise<string> {
  const release = await releaseServer();
  await release.close();
  servers.splice(servers.length - 1, 1);
  return release.origin;
}

/** Closes the release servers a test started (for afterEach, beside cleanUp). */
export async function closeReleases(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
}

/**
 * Shop with 1.0.0 live and 1.1.0 and 1.2.0 registered, each at the origin given (a release
 * server's, or one that does not answer), as a deployment leaves it before a canary.
 */
export function canaryRegistry(origins: { '1.0.0': string; '1.1.0': string; '1.2.0': string }, canary: unknown = null): unknown {
  return {
    shop: {
      live: '1.0.0',
      canary,
      releases: {
        '1.0.0': { origin: origins['1.0.0'], registeredAt: '2025-01-01T10:00:00.000Z' },
        '1.1.0': { origin: origins['1.1.0'], registeredAt: '2025-01-01T11:00:00.000Z' },
        '1.2.0': { origin: origins['1.2.0'], registeredAt: '2025-01-01T12:00:00.000Z' },
      },
      moves: [{ from: null, to: '1.0.0', at: '2025-01-01T10:00:00.000Z', by: 'start' }],
    },
  };
}

export async function page(url: string): Promise<{ status: number; markup: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, markup: await response.text(), headers: response.headers };
}

/** The Releases section of a page, or undefined. */
export function releasesOf(markup: string): string | undefined {
  const start = markup.indexOf('<section id="releases"');
  return start === -1 ? undefined : markup.slice(start, markup.indexOf('</section>', start) + '</section>'.length);
}

/** The console's endpoints, as their path after `/api/releases/<remote>/`. */
export type Action = 'live' | 'canary' | 'promote' | 'canary/end';

/**
 * Posts as the panel's forms do in Chromium, no redirect followed: form-encoded, same origin,
 * and `Origin: null`, because the page has `Referrer-Policy: no-referrer` (checked in Chromium).
 */
export function postForm(
  run: Running,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  remote = 'shop',
  action: Action = 'live',
): Promise<Response> {
  return fetch(`${run.url}/api/releases/${remote}/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export function postJson(
  run: Running,
  body: unknown,
  headers: Record<string, string> = {},
  remote = 'shop',
  action: Action = 'live',
): Promise<Response> {
  return fetch(`${run.url}/api/releases/${remote}/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function unescapeHtml(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

/** A form's refusal, which is a page: its reason and its link back (asserting it is the inbox's HTML, under its CSP). */
export async function pageRefusal(response: Response): Promise<{ detail: string; back: string }> {
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const markup = await response.text();
  const detail = /<p class="error" role="alert" data-refusal>([\s\S]*?)<\/p>/.exec(markup)?.[1];
  const back = /<a href="([^"]*)">Back to the releases<\/a>/.exec(markup)?.[1];
  assert.ok(detail !== undefined && back !== undefined, markup);
  return { detail: unescapeHtml(detail), back: unescapeHtml(back) };
}
