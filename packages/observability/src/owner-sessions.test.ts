/**
 * Owner sessions through the real SDK: the zone's server Sentry (the options initZoneServer gives
 * @sentry/nextjs's Node SDK, which forks an isolation scope per incoming request), a real HTTP server whose
 * requests open page views, and a real local receiver standing in for the inbox, which records
 * what each project's DSN was sent.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type * as SentryNext from '@sentry/nextjs';
import { parseEnvelope, type Envelope } from '@sentry/core';
import { INBOX_PROJECTS, type Owner } from '@repo/topology';
import { OwnedError } from './owned-error';
import { continuePageView, browserPageViewOf } from './owner-sessions.client';
import type * as ServerPageViews from './owner-sessions.server';
import { zoneServerOptions } from './server';
import { zoneSentrySettings } from './settings';

// The SDK as Next's server loads it (CommonJS): Node's ESM view of that build misses the names it
// re-exports from @sentry/node (init's transport, flush, close).
const Sentry = createRequire(import.meta.url)('@sentry/nextjs') as typeof SentryNext;

interface Received {
  readonly project: Owner | undefined;
  readonly key: string | null;
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

/** The stand-in inbox: every envelope item, with the project its URL named; waits are push-based. */
function startReceiver() {
  const received: Received[] = [];
  const waiters: { match: (item: Received) => boolean; resolve: (item: Received) => void }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const url = new URL(request.url ?? '/', 'http://localhost');
      const id = Number(/^\/api\/(\d+)\/envelope\/$/.exec(url.pathname)?.[1]);
      const project = (Object.keys(INBOX_PROJECTS) as Owner[]).find((owner) => INBOX_PROJECTS[owner].id === id);
      const [, items] = parseEnvelope(new Uint8Array(body)) as Envelope;
      for (const [header, payload] of items) {
        const item = { project, key: url.searchParams.get('sentry_key'), type: String(header.type), payload: payload as Record<string, unknown> };
        received.push(item);
        for (const waiter of waiters.filter((w) => w.match(item))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(item);
        }
      }
      response.writeHead(200).end('{}');
    });
  });
  return {
    server,
    received,
    /** The next item that matches, from now on. */
    next(match: (item: Received) => boolean): Promise<Received> {
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

const receiver = startReceiver();

/**
 * The module as the pages see it. Next compiles instrumentation.ts and the pages into separate
 * webpack layers, each with its own copy of it: page views begin in one copy, beforeSend reads
 * them in the other. A second instance of the module (another URL) is the same situation.
 */
const pagesLayerCopy = './owner-sessions.server.ts?pages-layer';
const { beginServerPageView } = (await import(pagesLayerCopy)) as typeof ServerPageViews;

/** The host's page server: each request opens shop's part of its page view, then does what its path says. */
const pages = createServer((request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const visitor = url.searchParams.get('visitor') ?? 'none';
  beginServerPageView({ owner: 'shop', release: 'shop@1.2.0', rollout: 'canary', visitor, response });
  const act = url.pathname.slice(1);
  if (act === 'shop-error') Sentry.captureException(new OwnedError('shop', `shop failed for ${visitor}`));
  if (act === 'shop-crash') Sentry.captureException(new OwnedError('shop', `shop crashed for ${visitor}`), { mechanism: { handled: false, type: 'test' } });
  if (act === 'twice') {
    // One error reported twice (the render's report, then Next's onRequestError): one error.
    const error = new OwnedError('shop', `shop failed once for ${visitor}`);
    Sentry.captureException(error);
    Sentry.captureException(error);
  }
  if (act === 'zone-error') Sentry.captureException(new Error(`home failed for ${visitor}`));
  if (act === 'slow') {
    // Answers after another request has come and gone: the two page views interleave.
    setTimeout(() => response.end('slow'), 150);
    return;
  }
  response.end(act);
});

let pagesOrigin = '';

before(async () => {
  receiver.server.listen(0);
  pages.listen(0);
  await Promise.all([once(receiver.server, 'listening'), once(pages, 'listening')]);
  process.env.ZONE_NAME = 'home';
  process.env.ZONE_RELEASE = 'home@1.0.0';
  process.env.SENTRY_ENVIRONMENT = 'test';
  process.env.INBOX_PORT = String((receiver.server.address() as AddressInfo).port);
  Sentry.init(zoneServerOptions(zoneSentrySettings(), Sentry.makeNodeTransport));
  pagesOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;
});

after(async () => {
  await Sentry.close(2_000);
  receiver.server.close();
  pages.close();
});

function sessionOf(visitor: string) {
  return receiver.next((item) => item.type === 'session' && item.payload.did === visitor);
}

async function visit(act: string, visitor: string): Promise<void> {
  const response = await fetch(`${pagesOrigin}/${act}?visitor=${visitor}`);
  await response.text();
}

describe('owner sessions from a host server', () => {
  it("sends one session per page view to the remote owner's project, with the remote's release, ok when shop did not fail", async () => {
    const session = sessionOf('v-ok');
    await visit('ok', 'v-ok');
    const { project, key, payload } = await session;
    assert.equal(project, 'shop');
    assert.equal(key, INBOX_PROJECTS.shop.publicKey);
    assert.equal(payload.status, 'ok');
    assert.equal(payload.errors, 0);
    assert.equal(payload.init, true);
    assert.match(String(payload.sid), /^[0-9a-f]{32}$/);
    assert.deepEqual(payload.attrs, { release: 'shop@1.2.0', environment: 'test' });
  });

  it("is errored by shop's error in that request, and the error carries the rollout", async () => {
    const session = sessionOf('v-err');
    const error = receiver.next((item) => item.type === 'event' && String(JSON.stringify(item.payload)).includes('shop failed for v-err'));
    await visit('shop-error', 'v-err');
    const [{ project, payload }, event] = await Promise.all([session, error]);
    assert.equal(project, 'shop');
    assert.equal(payload.status, 'errored');
    assert.equal(payload.errors, 1);
    assert.equal(event.project, 'shop');
    assert.equal((event.payload.tags as Record<string, string>).rollout, 'canary');
  });

  it('is crashed by an unhandled error of shop', async () => {
    const session = sessionOf('v-crash');
    await visit('shop-crash', 'v-crash');
    const { payload } = await session;
    assert.equal(payload.status, 'crashed');
    assert.equal(payload.errors, 1);
  });

  it('counts an error reported twice in a request once', async () => {
    const session = sessionOf('v-twice');
    await visit('twice', 'v-twice');
    const { payload } = await session;
    assert.equal(payload.status, 'errored');
    assert.equal(payload.errors, 1);
  });

  it("stays ok when the zone's own code fails: that error is the zone's, and not tagged with a rollout", async () => {
    const session = sessionOf('v-zone');
    const error = receiver.next((item) => item.type === 'event' && String(JSON.stringify(item.payload)).includes('home failed for v-zone'));
    await visit('zone-error', 'v-zone');
    const [{ payload }, event] = await Promise.all([session, error]);
    assert.equal(payload.status, 'ok');
    assert.equal(event.project, 'home');
    assert.equal((event.payload.tags as Record<string, string>).rollout, undefined);
  });

  it("ties each error to its own request's page view when requests interleave", async () => {
    const slow = sessionOf('v-slow');
    const failing = sessionOf('v-fails-meanwhile');
    const slowVisit = visit('slow', 'v-slow');
    await visit('shop-error', 'v-fails-meanwhile');
    await slowVisit;
    assert.equal((await failing).payload.status, 'errored');
    assert.equal((await slow).payload.status, 'ok');
  });

  it("leaves the zone's own request sessions with the zone", async () => {
    const aggregates = receiver.next((item) => item.type === 'sessions');
    await Sentry.flush(2_000);
    const { project, payload } = await aggregates;
    assert.equal(project, 'home');
    assert.equal((payload.attrs as { release: string }).release, 'home@1.0.0');
  });

  it('sends none with SENTRY_OWNER_SESSIONS=0', async () => {
    process.env.SENTRY_OWNER_SESSIONS = '0';
    try {
      const closed = new Promise<void>((resolve) => pages.once('request', (_request, response: ServerResponse) => response.once('close', resolve)));
      await visit('shop-error', 'v-off');
      await closed;
      // Everything the request sent is through the transport once flushed.
      await Sentry.flush(2_000);
      assert.equal(receiver.received.some((item) => item.type === 'session' && item.payload.did === 'v-off'), false);
      assert.equal(receiver.received.some((item) => item.type === 'event' && JSON.stringify(item.payload).includes('shop failed for v-off')), true);
    } finally {
      delete process.env.SENTRY_OWNER_SESSIONS;
    }
  });
});

describe('owner sessions continued in the browser', () => {
  it("sends an update of the server's session (same sid and did, not init) when the remote fails later", async () => {
    const sid = 'a'.repeat(32);
    const started = '2026-12-01T00:00:00.000Z';
    continuePageView({ owner: 'shop', release: 'shop@1.2.0', rollout: 'live', session: { sid, did: 'v-browser', release: 'shop@1.2.0', started } });
    const update = sessionOf('v-browser');
    browserPageViewOf()?.fail(false, new Error('later'));
    const { project, payload } = await update;
    assert.equal(project, 'shop');
    assert.equal(payload.sid, sid);
    assert.equal(payload.init, false);
    assert.equal(payload.status, 'errored');
    assert.equal(payload.errors, 1);
    assert.equal(payload.started, started);

    const crash = sessionOf('v-browser');
    browserPageViewOf()?.fail(true, new Error('then crashed'));
    assert.equal((await crash).payload.status, 'crashed');
  });
});
