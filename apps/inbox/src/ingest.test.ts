/**
 * Ingest over real HTTP, as Sentry's (routes/ingest.ts, ingest.ts): keys, malformed bodies,
 * encodings, both endpoints, CORS, deduplication and concurrent writes. A server on a free port
 * with a fresh data directory per test. More rules in ingest-rules.test.ts.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import {
  type Event,
  HOME,
  type PostOptions,
  SHOP,
  assertNothingStored,
  cleanUp,
  detail,
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
      traceId: null,
      tracePath: null,
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
      traceId: null,
      tracePath: null,
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

  it('answers 200 for envelopes without events and stores no event for them', async () => {
    const run = await start();
    const session = JSON.stringify({ sid: newId(), init: true, started: new Date().toISOString(), attrs: { release: 'shop@1.0.0' } });
    const body = `{}\n{"type":"session"}\n${session}\n{"type":"client_report"}\n{"discarded_events":[]}\n`;
    const response = await post(run.url, body);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    await assertNothingStored(run);
  });

  it('answers CORS preflights from any origin and puts CORS headers on its answers, refusals included', async () => {
    const run = await start();
    for (const endpoint of ['envelope', 'store']) {
      const preflight = await fetch(`${run.url}/api/${SHOP.id}/${endpoint}/`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-sentry-auth',
        },
      });
      assert.equal(preflight.status, 204, endpoint);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-sentry-auth/);
    }

    const accepted = await post(run.url, envelope([errorEvent('cors')]), { headers: { origin: 'http://evil.example' } });
    const refused = await post(run.url, envelope([errorEvent('cors')]), { key: null, headers: { origin: 'http://evil.example' } });
    assert.deepEqual([accepted.status, refused.status], [200, 401]);
    for (const response of [accepted, refused]) {
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      // SDKs read these to back off (429).
      assert.match(response.headers.get('access-control-expose-headers') ?? '', /Retry-After.*X-Sentry-Rate-Limits/i);
    }
    assert.equal(run.inbox.storedCount, 1);
  });

  it('answers other methods on the ingest paths with 405', async () => {
    const run = await start();
    const response = await fetch(`${run.url}/api/${SHOP.id}/envelope/`);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST, OPTIONS');
    assert.equal(await detail(response), `Use POST for /api/${SHOP.id}/envelope/.`);
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
