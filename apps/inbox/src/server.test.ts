/**
 * The inbox over real HTTP: a server on a free port with a fresh data directory per test.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { INBOX_ORG, INBOX_PROJECTS } from '@repo/topology';
import {
  type Event,
  HOME,
  type PostOptions,
  type Running,
  SHOP,
  assertNothingStored,
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

describe('ingest', () => {
  it('stores an envelope event whose key is in the query, and answers its id', async () => {
    const run = await start();
    const event = errorEvent('query key');
    const response = await post(run.url, envelope([event]));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: event.event_id });
    const { body } = await getJson(`${eventsUrl(run)}${String(event.event_id)}/`);
    assert.deepEqual((body as Event)._inbox, {
      projectSlug: 'shop',
      projectId: SHOP.id,
      publicKey: SHOP.publicKey,
      keySource: 'query',
      envelopeDsn: null,
      received: (body as { dateReceived: string }).dateReceived,
    });
    assert.equal(run.inbox.storedCount, 1);
  });

  it('takes the key from an X-Sentry-Auth header', async () => {
    const run = await start();
    const event = errorEvent('header key');
    const response = await post(run.url, envelope([event]), {
      key: null,
      headers: { 'x-sentry-auth': `Sentry sentry_key=${SHOP.publicKey}, sentry_version=7, sentry_client=test/1.0` },
    });
    assert.equal(response.status, 200);
    const [listed] = await listEvents(run);
    assert.equal(listed?.eventID, event.event_id);
    const { body } = await getJson(`${eventsUrl(run)}${String(event.event_id)}/`);
    assert.equal((body as { _inbox: { keySource: string } })._inbox.keySource, 'header');
  });

  it("takes the key from the envelope header's dsn, and records the dsn", async () => {
    const run = await start();
    const event = errorEvent('dsn key');
    const dsn = `http://${SHOP.publicKey}@localhost:9000/${SHOP.id}`;
    const response = await post(run.url, envelope([event], { event_id: event.event_id, dsn }), { key: null });
    assert.equal(response.status, 200);
    const { body } = await getJson(`${eventsUrl(run)}${String(event.event_id)}/`);
    assert.deepEqual((body as { _inbox: Event })._inbox, {
      projectSlug: 'shop',
      projectId: SHOP.id,
      publicKey: SHOP.publicKey,
      keySource: 'envelope',
      envelopeDsn: dsn,
      received: (body as { dateReceived: string }).dateReceived,
    });
  });

  it('refuses a request without a key with 401 and stores nothing', async () => {
    const run = await start();
    const response = await post(run.url, envelope([errorEvent('no key')]), { key: null });
    assert.equal(response.status, 401);
    assert.match(((await response.json()) as { detail: string }).detail, /Missing client key/);
    await assertNothingStored(run);
  });

  it("refuses another project's key, an unknown key or an unknown project with 403 and stores nothing", async () => {
    const run = await start();
    const cases: PostOptions[] = [
      { key: HOME.publicKey },
      { key: 'f'.repeat(32) },
      { project: 999 },
      { key: null, headers: { 'x-sentry-auth': `Sentry sentry_key=${HOME.publicKey}` } },
    ];
    for (const options of cases) {
      const response = await post(run.url, envelope([errorEvent('wrong key')]), options);
      assert.equal(response.status, 403, JSON.stringify(options));
      assert.equal(typeof ((await response.json()) as { detail: unknown }).detail, 'string');
    }
    const dsn = `http://${HOME.publicKey}@localhost:9000/${HOME.id}`;
    const viaDsn = await post(run.url, envelope([errorEvent('wrong dsn')], { dsn }), { key: null });
    assert.equal(viaDsn.status, 403);
    await assertNothingStored(run);
  });

  it('refuses a malformed envelope with 400 and a reason, storing none of its events', async () => {
    const run = await start();
    const good = JSON.stringify(errorEvent('good'));
    const bodies = [
      'not json',
      `{}\n{"type":"event"}\n${good}\n{"type":"event"}\n{not json}`,
      `{}\n{"type":"event","length":9999}\n${good}`,
      `{}\n{"type":"event"}\n${JSON.stringify({ event_id: 'not-an-id' })}`,
    ];
    for (const body of bodies) {
      const response = await post(run.url, body);
      assert.equal(response.status, 400, body);
      assert.match(((await response.json()) as { detail: string }).detail, /^Malformed envelope: .+/);
    }
    const store = await post(run.url, '[1, 2]', { endpoint: 'store' });
    assert.equal(store.status, 400);
    const gzipped = await post(run.url, 'not gzip', { headers: { 'content-encoding': 'gzip' } });
    assert.equal(gzipped.status, 400);
    await assertNothingStored(run);
  });

  for (const [encoding, compress] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    it(`decodes a ${encoding} body`, async () => {
      const run = await start();
      const event = errorEvent(`${encoding} body`);
      const response = await post(run.url, compress(Buffer.from(envelope([event]))), {
        headers: { 'content-encoding': encoding, 'content-type': 'application/x-sentry-envelope' },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(
        (await listEvents(run)).map((e) => e.title),
        [`TypeError: ${encoding} body`],
      );
    });
  }

  it('stores the event of the store endpoint', async () => {
    const run = await start();
    const event = errorEvent('store endpoint');
    const response = await post(run.url, JSON.stringify(event), {
      endpoint: 'store',
      key: null,
      headers: { 'x-sentry-auth': `Sentry sentry_key=${SHOP.publicKey}, sentry_version=7` },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: event.event_id });
    assert.deepEqual(
      (await listEvents(run)).map((e) => e.id),
      [event.event_id],
    );
  });

  it('answers 200 for envelopes without events and stores nothing for them', async () => {
    const run = await start();
    const body = `{}\n{"type":"session"}\n{"sid":"abc","status":"ok"}\n{"type":"client_report"}\n{"discarded_events":[]}\n`;
    const response = await post(run.url, body);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    await assertNothingStored(run);
  });

  it('answers CORS preflights and puts CORS headers on every response', async () => {
    const run = await start();
    const preflight = await fetch(`${run.url}/api/${SHOP.id}/envelope/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3001',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-sentry-auth',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-sentry-auth/);

    for (const response of [
      await post(run.url, envelope([errorEvent('cors')])),
      await post(run.url, envelope([errorEvent('cors')]), { key: null }),
      await fetch(eventsUrl(run)),
    ]) {
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.match(response.headers.get('access-control-allow-headers') ?? '', /content-type, .*x-sentry-auth/);
    }
  });

  it('stores an event id once per project, even when sent concurrently', async () => {
    const run = await start();
    const event = errorEvent('duplicate');
    const responses = await Promise.all([1, 2, 3, 4].map(() => post(run.url, envelope([event, event]))));
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.equal((await listEvents(run)).length, 1);
    assert.equal(run.inbox.storedCount, 1);
    // The same id in another project is another event.
    await post(run.url, envelope([event]), { project: HOME.id, key: HOME.publicKey });
    assert.equal((await listEvents(run, 'home')).length, 1);
  });

  it('stores every event of concurrent requests (written in shared transactions)', async () => {
    const run = await start();
    const events = Array.from({ length: 40 }, (_, i) => errorEvent(`concurrent ${i}`));
    const responses = await Promise.all(events.map((event) => post(run.url, envelope([event]))));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(run.inbox.storedCount, 40);
    const ids = new Set((await listEvents(run)).map((e) => e.id));
    assert.deepEqual(ids, new Set(events.map((e) => e.event_id)));
  });
});

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
    });
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
    for (const path of ['/api/0/projects/acme/shop/events/', '/api/0/projects/local/nope/events/', '/api/0/projects/local/shop/nope/']) {
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

  it('answers /healthz', async () => {
    const run = await start();
    assert.deepEqual(await getJson(`${run.url}/healthz`).then((r) => [r.status, r.body]), [200, { ok: true }]);
  });
});
