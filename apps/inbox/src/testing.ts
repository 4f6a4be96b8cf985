/**
 * Helpers for the inbox's tests (not a test file itself): real servers on free ports with fresh
 * data directories, and a client that posts as the SDKs do.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INBOX_ORG, INBOX_PROJECTS } from '@repo/topology';
import { type InboxServer, type InboxServerOptions, createInboxServer } from './server.ts';

export const SHOP = INBOX_PROJECTS.shop;
export const HOME = INBOX_PROJECTS.home;
export const CHECKOUT = INBOX_PROJECTS.checkout;

export interface Running {
  readonly inbox: InboxServer;
  readonly url: string;
  readonly dir: string;
}

const running: Running[] = [];
const dirs: string[] = [];

export async function tempDir(prefix = 'inbox-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/**
 * Starts an inbox on a free port; in `dir` when given, else in a fresh directory. Its release
 * registry is `registryFile` when given, else a file in the data directory that does not exist
 * (never the repository's).
 */
export async function start(options: Partial<InboxServerOptions> = {}): Promise<Running> {
  const dataDir = options.dataDir ?? (await tempDir());
  const registryFile = options.registryFile ?? join(dataDir, 'registry.json');
  const inbox = createInboxServer({ port: 0, host: '127.0.0.1', ...options, dataDir, registryFile });
  const url = await inbox.listen();
  const run = { inbox, url, dir: dataDir };
  running.push(run);
  return run;
}

/** Stops every inbox started and removes the temporary directories (for afterEach). */
export async function cleanUp(): Promise<void> {
  await Promise.all(running.splice(0).map((run) => run.inbox.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function newId(): string {
  return randomUUID().replaceAll('-', '');
}

export type Event = Record<string, unknown>;

export function errorEvent(value: string, extra: Event = {}): Event {
  return {
    event_id: newId(),
    platform: 'javascript',
    level: 'error',
    exception: {
      values: [
        {
          type: 'TypeError',
          value,
          mechanism: { type: 'onerror', handled: false },
          stacktrace: {
            frames: [
              { filename: 'app:///_next/static/chunks/main.js', function: 'run', lineno: 1, colno: 10, in_app: false },
              {
                filename: 'app:///_next/static/chunks/pages/cart.js',
                function: 'onClick',
                lineno: 42,
                colno: 7,
                in_app: true,
                pre_context: ['function onClick() {'],
                context_line: '  throw new TypeError(msg);',
                post_context: ['}'],
              },
            ],
          },
        },
      ],
    },
    ...extra,
  };
}

export function envelope(events: readonly Event[], header: Event = {}, extraItems = ''): string {
  const items = events.map((event) => `{"type":"event"}\n${JSON.stringify(event)}`);
  return [JSON.stringify({ sent_at: new Date().toISOString(), ...header }), ...items].join('\n') + extraItems;
}

export interface PostOptions {
  readonly project?: number;
  readonly key?: string | null;
  readonly headers?: Record<string, string>;
  readonly endpoint?: 'envelope' | 'store';
}

/** Posts as a browser SDK does: text/plain, the key in the query unless told otherwise. */
export async function post(url: string, body: string | Buffer, options: PostOptions = {}): Promise<Response> {
  const { project = SHOP.id, key = SHOP.publicKey, headers = {}, endpoint = 'envelope' } = options;
  const query = key === null ? '' : `?sentry_key=${key}&sentry_version=7`;
  return fetch(`${url}/api/${project}/${endpoint}/${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
    body,
  });
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; response: Response }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json(), response };
}

export function eventsUrl(run: Running, slug = 'shop', query = ''): string {
  return `${run.url}/api/0/projects/${INBOX_ORG}/${slug}/events/${query}`;
}

export function issuesUrl(run: Running, slug = 'shop', query = ''): string {
  return `${run.url}/api/0/projects/${INBOX_ORG}/${slug}/issues/${query}`;
}

export async function listEvents(run: Running, slug = 'shop', query = ''): Promise<Event[]> {
  const { status, body } = await getJson(eventsUrl(run, slug, query));
  assert.equal(status, 200);
  assert.ok(Array.isArray(body));
  return body as Event[];
}

export async function listIssues(run: Running, slug = 'shop', query = ''): Promise<Event[]> {
  const { status, body } = await getJson(issuesUrl(run, slug, query));
  assert.equal(status, 200);
  assert.ok(Array.isArray(body));
  return body as Event[];
}

/** Events stored in every project, read through the API. */
export async function countAll(run: Running): Promise<number> {
  let total = 0;
  for (const slug of ['home', 'shop', 'checkout']) total += (await listEvents(run, slug, '?per_page=100')).length;
  return total;
}

export async function assertNothingStored(run: Running): Promise<void> {
  assert.equal(run.inbox.storedCount, 0);
  for (const slug of ['home', 'shop', 'checkout']) assert.deepEqual(await listEvents(run, slug), []);
}

export async function detail(response: Response): Promise<string> {
  const body = (await response.json()) as { detail?: unknown };
  assert.equal(typeof body.detail, 'string', JSON.stringify(body));
  return String(body.detail);
}

export interface StreamMessage {
  readonly id: string | undefined;
  readonly data: unknown;
}

export interface OpenStream {
  readonly response: Response;
  /** The next message (waiting up to `timeoutMs`); rejects when none comes. */
  next(timeoutMs?: number): Promise<StreamMessage>;
  /** Settles when the body ends: 'ended' when the server ended it, 'failed' when it broke or was aborted. */
  readonly ended: Promise<'ended' | 'failed'>;
  close(): void;
}

/** Opens a server-sent events stream with fetch and parses its messages (comments skipped). */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const body = response.body;
  const queue: StreamMessage[] = [];
  const waiting: ((message: StreamMessage) => void)[] = [];
  const ended = !body
    ? Promise.resolve<'ended' | 'failed'>('ended')
    : (async (): Promise<'ended' | 'failed'> => {
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of body) {
            buffer += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) !== -1) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let id: string | undefined;
              const data: string[] = [];
              for (const line of block.split('\n')) {
                if (line.startsWith('id: ')) id = line.slice(4);
                else if (line.startsWith('data: ')) data.push(line.slice(6));
              }
              if (data.length === 0) continue;
              const message = { id, data: JSON.parse(data.join('\n')) as unknown };
              const waiter = waiting.shift();
              if (waiter) waiter(message);
              else queue.push(message);
            }
          }
          return 'ended';
        } catch {
          // Broken, or aborted by close().
          return 'failed';
        }
      })();
  return {
    response,
    ended,
    next(timeoutMs = 5000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(new Error(`no stream message within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (message: StreamMessage): void => {
          clearTimeout(timer);
          resolve(message);
        };
        waiting.push(waiter);
      });
    },
    close() {
      controller.abort();
    },
  };
}

/** A local HTTP receiver standing in for a Slack-style webhook. */
export interface WebhookReceiver {
  readonly url: string;
  /** Bodies received, in order (also the failed ones). */
  readonly received: unknown[];
  /** Resolves once `count` requests arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * Starts a receiver; `answer(n)` gives the status of the n-th request (1-based), or 'hang' to
 * never answer it.
 */
export async function webhookReceiver(answer: (n: number) => number | 'hang' = () => 200): Promise<WebhookReceiver> {
  const { createServer } = await import('node:http');
  const received: unknown[] = [];
  const listeners: (() => void)[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      for (const listener of listeners.splice(0)) listener();
      const status = answer(received.length);
      if (status === 'hang') return;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-path-XYZ`,
    received,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the webhook got ${received.length} of ${count} calls`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          listeners.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * A request with a `Host` of our choosing, which fetch does not let one set: what a browser
 * sends after DNS rebinding (the attacker's name, resolving to the inbox's address).
 */
export function requestWithHost(
  url: string,
  host: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: { ...options.headers, host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
