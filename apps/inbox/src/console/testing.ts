/**
 * Helpers for the deploy console's tests (not a test file itself): an inbox whose release
 * registry is a temporary file, and requests as the Releases panel's form and as tools send them.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  options: { readToken?: string; allowedOrigins?: readonly string[] } = {},
): Promise<Running & { file: string }> {
  const file = join(await tempDir('inbox-registry-'), 'registry.json');
  if (content !== null) writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  const run = await start({ registryFile: file, ...options });
  return { ...run, file };
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

/**
 * Posts as the panel's form does in Chromium, no redirect followed: form-encoded, same origin,
 * and `Origin: null`, because the page has `Referrer-Policy: no-referrer` (checked in Chromium).
 */
export function postForm(
  run: Running,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  remote = 'shop',
): Promise<Response> {
  return fetch(`${run.url}/api/releases/${remote}/live`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export function postJson(run: Running, body: unknown, headers: Record<string, string> = {}, remote = 'shop'): Promise<Response> {
  return fetch(`${run.url}/api/releases/${remote}/live`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
