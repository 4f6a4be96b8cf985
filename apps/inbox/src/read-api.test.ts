/**
 * The read API over real HTTP (routes/read-api.ts, views.ts): Sentry's shapes, pagination,
 * search, issues, keys, /healthz.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG, INBOX_PROJECTS } from '@repo/topology';
import {
  type Event,
  type Running,
  SHOP,
  cleanUp,
  envelope,
  errorEvent,
  eventsUrl,
  getJson,
  listEvents,
  newId,
  post,
  start,
} from './testing.ts';

afterEach(cleanUp);

describe('read API', () => {
  async function sendAll(run: Running, events: readonly Event[]): Promise<void> {
    for (const event of events) assert.equal((await post(run.url, envelope([event]))).status, 200);
  }

  it('lists events newest first, paginated with Sentry Link headers', async () => {
    const run = await start();
    const events = Array.from({ length: 5 }, (_, i) => errorEvent(`page ${i}`));
    await sendAll(run, events);
    const newestFirst = events.map((e) => e.event_id).reverse();

    const first = await getJson(eventsUrl(run, 'shop', '?per_page=2'));
    assert.deepEqual(
      (first.body as Event[]).map((e) => e.id),
      newestFirst.slice(0, 2),
    );
    const link = first.response.headers.get('link') ?? '';
    const base = `${eventsUrl(run)}?per_page=2&`;
    assert.equal(
      link,
      `<${base}cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", ` +
        `<${base}cursor=0:2:0>; rel="next"; results="true"; cursor="0:2:0"`,
    );

    const seen: unknown[] = [];
    let url: string | undefined = eventsUrl(run, 'shop', '?per_page=2');
    while (url) {
      const page = await getJson(url);
      seen.push(...(page.body as Event[]).map((e) => e.id));
      const next = /<([^>]+)>; rel="next"; results="true"/.exec(page.response.headers.get('link') ?? '');
      url = next?.[1];
    }
    assert.deepEqual(seen, newestFirst);

    const last = await getJson(eventsUrl(run, 'shop', '?per_page=2&cursor=0:4:0'));
    assert.match(last.response.headers.get('link') ?? '', /rel="previous"; results="true"; cursor="0:2:1".*rel="next"; results="false"/);

    assert.equal((await getJson(eventsUrl(run, 'shop', '?cursor=bogus'))).status, 400);
    assert.equal((await getJson(eventsUrl(run, 'shop', '?per_page=1000'))).status, 400);
  });

  it('filters events with query= tag terms', async () => {
    const run = await start();
    const mine = errorEvent('mine', { tags: { run: 'r1', owner: 'shop' } });
    await sendAll(run, [
      errorEvent('other run', { tags: { run: 'r2', owner: 'shop' } }),
      mine,
      errorEvent('other owner', { tags: { run: 'r1', owner: 'home' } }),
    ]);
    const found = await listEvents(run, 'shop', `?query=${encodeURIComponent('run:r1 owner:shop')}`);
    assert.deepEqual(
      found.map((e) => e.id),
      [mine.event_id],
    );
    assert.equal((await listEvents(run, 'shop', '?query=run:r1')).length, 2);
    assert.equal((await getJson(eventsUrl(run, 'shop', `?query=${encodeURIComponent('run:"open')}`))).status, 400);
  });

  it('shows one event in full, as Sentry does, and 404 for an unknown one', async () => {
    const run = await start();
    const event = errorEvent('detailed', {
      release: 'shop@1.0.0',
      environment: 'e2e',
      tags: { owner: 'shop', zone: 'home' },
      user: { id: 'u1' },
      contexts: { browser: { name: 'Chrome' } },
      sdk: { name: 'sentry.javascript.nextjs', version: '9.0.0' },
      breadcrumbs: { values: [{ timestamp: 1735689600, category: 'ui.click', message: 'button#buy' }] },
      request: { url: 'http://localhost:3000/cart?x=1', headers: { 'User-Agent': 'test' } },
      timestamp: 1735689601.5,
    });
    await sendAll(run, [event]);
    const { status, body } = await getJson(`${eventsUrl(run)}${String(event.event_id)}/`);
    assert.equal(status, 200);
    const detail = body as Record<string, unknown>;
    assert.equal(detail.id, event.event_id);
    assert.equal(detail.eventID, event.event_id);
    assert.equal(detail.projectID, String(SHOP.id));
    assert.equal(detail.title, 'TypeError: detailed');
    assert.equal(detail.message, 'TypeError: detailed');
    assert.equal(detail.culprit, 'app:///_next/static/chunks/pages/cart.js in onClick');
    assert.equal(detail.dateCreated, '2025-01-01T00:00:01.500Z');
    assert.deepEqual(detail.release, { version: 'shop@1.0.0' });
    assert.equal(detail.environment, 'e2e');
    assert.equal(detail.platform, 'javascript');
    assert.deepEqual(detail.user, { id: 'u1' });
    assert.deepEqual(detail.contexts, { browser: { name: 'Chrome' } });
    assert.deepEqual(detail.sdk, { name: 'sentry.javascript.nextjs', version: '9.0.0' });
    assert.deepEqual(detail.tags, [
      { key: 'environment', value: 'e2e' },
      { key: 'level', value: 'error' },
      { key: 'owner', value: 'shop' },
      { key: 'release', value: 'shop@1.0.0' },
      { key: 'url', value: 'http://localhost:3000/cart?x=1' },
      { key: 'zone', value: 'home' },
    ]);
    const entries = detail.entries as { type: string; data: Record<string, unknown> }[];
    assert.deepEqual(
      entries.map((e) => e.type),
      ['exception', 'breadcrumbs', 'request'],
    );
    const [exception] = entries[0]?.data.values as Record<string, unknown>[];
    assert.equal(exception?.type, 'TypeError');
    assert.deepEqual((exception?.stacktrace as { frames: unknown[] }).frames.at(-1), {
      filename: 'app:///_next/static/chunks/pages/cart.js',
      absPath: null,
      module: null,
      package: null,
      platform: null,
      function: 'onClick',
      rawFunction: null,
      lineNo: 42,
      colNo: 7,
      inApp: true,
      context: [
        [41, 'function onClick() {'],
        [42, '  throw new TypeError(msg);'],
        [43, '}'],
      ],
      vars: null,
      data: null,
    });
    assert.equal(exception?.rawStacktrace, null, 'no raw stack trace when nothing was resolved');
    assert.deepEqual(detail.errors, []);
    assert.deepEqual(entries[1]?.data, {
      values: [
        {
          type: 'default',
          category: 'ui.click',
          level: 'info',
          message: 'button#buy',
          data: null,
          timestamp: '2025-01-01T00:00:00.000Z',
          event_id: null,
        },
      ],
    });
    assert.equal(entries[2]?.data.url, 'http://localhost:3000/cart?x=1');
    assert.deepEqual(entries[2]?.data.headers, [['User-Agent', 'test']]);
    assert.deepEqual(entries[2]?.data.query, []);

    const missing = await getJson(`${eventsUrl(run)}${newId()}/`);
    assert.equal(missing.status, 404);
    assert.equal(typeof (missing.body as { detail: unknown }).detail, 'string');
    // An event of shop is not an event of home.
    assert.equal((await getJson(`${eventsUrl(run, 'home')}${String(event.event_id)}/`)).status, 404);
  });

  it('shows a symbolicated event: resolved frames with their data, the raw ones, and why others stayed raw', async () => {
    const run = await start();
    const raw = { filename: 'app:///_next/static/chunks/p-0a1b2c3d4e5f6a7b.js', function: 'h', lineno: 3, colno: 932, in_app: true };
    const event = errorEvent('resolved', {
      exception: {
        values: [
          {
            type: 'Error',
            value: 'resolved',
            stacktrace: {
              frames: [
                {
                  ...raw,
                  filename: 'src/exposed/BrokenComponent.tsx',
                  abs_path: 'webpack://shop/./src/exposed/BrokenComponent.tsx',
                  function: 'BrokenComponent',
                  lineno: 28,
                  colno: 5,
                  pre_context: ['  if (broken) {'],
                  context_line: '    throw new Error("no");',
                  post_context: ['  }'],
                  data: { sourcemap: '~/p.js.map', resolved_with: 'debug-id', symbolicated: true, release: 'shop@1.0.0' },
                },
              ],
            },
            raw_stacktrace: { frames: [raw] },
          },
        ],
      },
      errors: [{ type: 'js_no_source', url: 'app:///_next/static/chunks/framework.js', debug_id: 'abc' }],
    });
    await sendAll(run, [event]);
    const { body } = await getJson(`${eventsUrl(run)}${String(event.event_id)}/`);
    const detail = body as { entries: { data: { values: Record<string, unknown>[] } }[]; errors: unknown };
    const [exception] = detail.entries[0]?.data.values ?? [];
    const [frame] = (exception?.stacktrace as { frames: Record<string, unknown>[] }).frames;
    assert.equal(frame?.filename, 'src/exposed/BrokenComponent.tsx');
    assert.equal(frame?.absPath, 'webpack://shop/./src/exposed/BrokenComponent.tsx');
    assert.deepEqual(frame?.context, [
      [27, '  if (broken) {'],
      [28, '    throw new Error("no");'],
      [29, '  }'],
    ]);
    assert.deepEqual(frame?.data, { sourcemap: '~/p.js.map', resolved_with: 'debug-id', symbolicated: true, release: 'shop@1.0.0' });
    const rawView = exception?.rawStacktrace as { frames: Record<string, unknown>[]; hasSystemFrames: boolean };
    assert.deepEqual(
      rawView.frames.map((f) => [f.filename, f.function, f.lineNo, f.colNo, f.inApp, f.context]),
      [[raw.filename, 'h', 3, 932, true, []]],
    );
    assert.deepEqual(detail.errors, [
      {
        type: 'js_no_source',
        message: 'Source code was not found',
        data: { url: 'app:///_next/static/chunks/framework.js', debug_id: 'abc' },
      },
    ]);
  });

  it('returns full events with full=true', async () => {
    const run = await start();
    await sendAll(run, [errorEvent('full')]);
    const [summary] = await listEvents(run);
    const [full] = await listEvents(run, 'shop', '?full=true');
    assert.equal(summary?.entries, undefined);
    assert.ok(Array.isArray(full?.entries));
    assert.equal((full?._inbox as { publicKey: string }).publicKey, SHOP.publicKey);
    assert.equal(full?.id, summary?.id);
  });

  it('answers 404 with a detail for an unknown organization or project', async () => {
    const run = await start();
    for (const path of [
      '/api/0/projects/acme/shop/events/',
      '/api/0/projects/local/nope/events/',
      '/api/0/projects/local/shop/nope/',
      '/api/0/projects/local/shop/events/a/b/',
      '/api/nothing/',
    ]) {
      const { status, body } = await getJson(`${run.url}${path}`);
      assert.equal(status, 404, path);
      assert.equal(typeof (body as { detail: unknown }).detail, 'string');
    }
  });

  it('groups events into issues with counts', async () => {
    const run = await start();
    const events = [
      errorEvent('Order 12 failed', { user: { id: 'a' } }),
      errorEvent('Order 345 failed', { user: { id: 'b' } }),
      errorEvent('Cart is empty'),
      errorEvent('Order 6 failed', { user: { id: 'a' } }),
      errorEvent('anything', { fingerprint: ['custom'] }),
      errorEvent('else', { fingerprint: ['custom'] }),
    ];
    await sendAll(run, events);
    const { status, body } = await getJson(`${run.url}/api/0/projects/${INBOX_ORG}/shop/issues/`);
    assert.equal(status, 200);
    const issues = body as Record<string, unknown>[];
    assert.deepEqual(
      issues.map((i) => [i.shortId, i.title, i.count, i.userCount]),
      [
        ['SHOP-3', 'TypeError: else', '2', 0],
        ['SHOP-1', 'TypeError: Order 6 failed', '3', 2],
        ['SHOP-2', 'TypeError: Cart is empty', '1', 0],
      ],
    );
    const order = issues[1] ?? {};
    assert.equal(order.status, 'unresolved');
    assert.equal(order.level, 'error');
    assert.equal(order.culprit, 'app:///_next/static/chunks/pages/cart.js in onClick');
    assert.deepEqual(order.project, { id: String(SHOP.id), slug: 'shop', name: 'shop' });
    assert.equal(typeof order.firstSeen, 'string');
    assert.ok(String(order.firstSeen) <= String(order.lastSeen));

    const listed = await listEvents(run);
    const orderEventIds = new Set([events[0], events[1], events[3]].map((e) => e?.event_id));
    for (const event of listed) {
      assert.equal(event.groupID === order.id, orderEventIds.has(event.id), String(event.title));
    }
  });

  it("lists the project's key and DSN", async () => {
    const run = await start();
    const { status, body } = await getJson(`${run.url}/api/0/projects/${INBOX_ORG}/checkout/keys/`);
    assert.equal(status, 200);
    const checkout = INBOX_PROJECTS.checkout;
    assert.deepEqual(body, [
      {
        id: checkout.publicKey,
        name: 'Default',
        label: 'Default',
        public: checkout.publicKey,
        projectId: checkout.id,
        isActive: true,
        dsn: { public: `http://${checkout.publicKey}@localhost:${run.inbox.port}/${checkout.id}` },
      },
    ]);
  });

  it('answers other methods with 405, and a path that is not percent-encoding with 400', async () => {
    const run = await start();
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(eventsUrl(run), { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
      assert.equal(((await response.json()) as { detail: string }).detail, `Use GET for /api/0/projects/${INBOX_ORG}/shop/events/.`);
    }
    const bad = await getJson(`${run.url}/api/0/projects/${INBOX_ORG}/%E0/events/`);
    assert.deepEqual([bad.status, bad.body], [400, { detail: 'The path is not valid percent-encoding.' }]);
  });

  it('answers /healthz', async () => {
    const run = await start();
    assert.deepEqual(await getJson(`${run.url}/healthz`).then((r) => [r.status, r.body]), [200, { ok: true }]);
  });
});
