/**
 * Ingest rules beyond the basics (server.test.ts): keys that disagree, size limits and the
 * decompression-bomb guard, and the per-project rate limit. Real servers over real HTTP.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { MAX_EVENT_BYTES } from './limits.ts';
import { RateLimiter } from './rate-limit.ts';
import {
  HOME,
  SHOP,
  assertNothingStored,
  cleanUp,
  detail,
  envelope,
  errorEvent,
  eventsUrl,
  getJson,
  listEvents,
  post,
  start,
} from './testing.ts';

afterEach(cleanUp);

const MIB = 1024 * 1024;
const shopDsn = `http://${SHOP.publicKey}@localhost:9000/${SHOP.id}`;
const homeDsn = `http://${HOME.publicKey}@localhost:9000/${HOME.id}`;
const auth = (key: string): Record<string, string> => ({ 'x-sentry-auth': `Sentry sentry_key=${key}, sentry_version=7` });

describe('client keys from several sources', () => {
  it('refuses with 403 when two sources disagree, and stores nothing', async () => {
    const run = await start();
    const cases: [string, string | Buffer, Parameters<typeof post>[2]][] = [
      ['query vs header', envelope([errorEvent('a')]), { headers: auth(HOME.publicKey) }],
      ['query vs dsn', envelope([errorEvent('b')], { dsn: homeDsn }), {}],
      ['header vs dsn', envelope([errorEvent('c')], { dsn: homeDsn }), { key: null, headers: auth(SHOP.publicKey) }],
      [
        'X-Sentry-Auth vs Authorization',
        envelope([errorEvent('d')]),
        { key: null, headers: { ...auth(SHOP.publicKey), authorization: `Sentry sentry_key=${HOME.publicKey}` } },
      ],
    ];
    for (const [name, body, options] of cases) {
      const response = await post(run.url, body, options);
      assert.equal(response.status, 403, name);
      assert.match(await detail(response), /disagree/, name);
    }
    await assertNothingStored(run);
  });

  it("refuses an envelope whose dsn names another project than the path's", async () => {
    const run = await start();
    const otherProject = `http://${SHOP.publicKey}@localhost:9000/${HOME.id}`;
    const response = await post(run.url, envelope([errorEvent('x')], { dsn: otherProject }));
    assert.equal(response.status, 403);
    assert.match(await detail(response), /names project 1/);
    await assertNothingStored(run);
  });

  it('accepts sources that agree, and records the first by precedence', async () => {
    const run = await start();
    const event = errorEvent('agree');
    const response = await post(run.url, envelope([event], { dsn: shopDsn }), { headers: auth(SHOP.publicKey) });
    assert.equal(response.status, 200);
    const { body } = await getJson(`${eventsUrl(run)}${String(event.event_id)}/`);
    const inbox = (body as { _inbox: { keySource: string; envelopeDsn: string } })._inbox;
    assert.equal(inbox.keySource, 'query');
    assert.equal(inbox.envelopeDsn, shopDsn);
  });

  it('does not echo a whole wrong key back', async () => {
    const run = await start();
    const key = 'f'.repeat(32);
    const response = await post(run.url, envelope([errorEvent('x')]), { key });
    assert.equal(response.status, 403);
    assert.ok(!(await detail(response)).includes(key));
  });
});

describe('size limits', () => {
  it('answers 413 for an event item above 1 MiB, storing none of the envelope', async () => {
    const run = await start();
    const big = errorEvent('big', { extra: { blob: 'x'.repeat(MAX_EVENT_BYTES) } });
    const response = await post(run.url, envelope([errorEvent('small'), big]));
    assert.equal(response.status, 413);
    assert.match(await detail(response), /item 2 \(event\) is \d+ bytes; the limit is 1048576/);
    const store = await post(run.url, JSON.stringify(big), { endpoint: 'store' });
    assert.equal(store.status, 413);
    await assertNothingStored(run);
  });

  it('accepts an event just under 1 MiB', async () => {
    const run = await start();
    const event = errorEvent('just under');
    const padding = MAX_EVENT_BYTES - Buffer.byteLength(JSON.stringify({ ...event, extra: { blob: '' } })) - 1;
    const response = await post(run.url, envelope([{ ...event, extra: { blob: 'x'.repeat(padding) } }]));
    assert.equal(response.status, 200);
  });

  it('answers 413 for a body above 20 MiB and still answers the next request', async () => {
    const run = await start();
    const response = await post(run.url, Buffer.alloc(21 * MIB, 0x20));
    assert.equal(response.status, 413);
    assert.match(await detail(response), /larger than 20971520 bytes/);
    assert.equal((await post(run.url, envelope([errorEvent('after')]))).status, 200);
  });

  it('stops inflating a decompression bomb at the limit (gzip, deflate, br) and answers 413', async () => {
    const run = await start();
    // 1 GiB of zeros as 64 concatenated gzip members of 16 MiB each: about 1 MB on the wire.
    const member = gzipSync(Buffer.alloc(16 * MIB));
    const gzipBomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    const bombs: [string, Buffer][] = [
      ['gzip', gzipBomb],
      ['deflate', deflateSync(Buffer.alloc(64 * MIB))],
      ['br', brotliCompressSync(Buffer.alloc(64 * MIB), { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })],
    ];
    const before = process.memoryUsage().rss;
    for (const [encoding, bomb] of bombs) {
      const response = await post(run.url, bomb, { headers: { 'content-encoding': encoding } });
      assert.equal(response.status, 413, encoding);
      assert.match(await detail(response), /decoded body is larger than 20971520 bytes/, encoding);
    }
    // Inflating the gzip bomb whole would take 1 GiB; the guard holds at most ~20 MiB at a time.
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 400 * MIB, `RSS grew by ${Math.round(grown / MIB)} MiB`);
    await assertNothingStored(run);
    assert.equal((await post(run.url, gzipSync(envelope([errorEvent('fine')])), { headers: { 'content-encoding': 'gzip' } })).status, 200);
  });

  it('answers 415 for an unknown Content-Encoding', async () => {
    const run = await start();
    const response = await post(run.url, envelope([errorEvent('zstd')]), { headers: { 'content-encoding': 'zstd' } });
    assert.equal(response.status, 415);
    await assertNothingStored(run);
  });
});

describe('rate limit', () => {
  it('counts events per project in fixed windows', () => {
    let now = 0;
    const limiter = new RateLimiter({ events: 3, windowSeconds: 60 }, () => now);
    assert.equal(limiter.take(2, 2), undefined);
    assert.equal(limiter.take(2, 1), undefined);
    now = 15_500;
    assert.deepEqual(limiter.take(2, 1), {
      retryAfterSeconds: 45,
      headers: { 'Retry-After': '45', 'X-Sentry-Rate-Limits': '45:error;default:project' },
    });
    assert.equal(limiter.take(1, 3), undefined, 'another project has its own window');
    assert.equal(limiter.take(2, 0), undefined, 'a request without events is never limited');
    now = 60_000;
    assert.equal(limiter.take(2, 3), undefined, 'a new window');
    assert.ok(limiter.take(2, 4), 'more than the limit never fits');
  });

  it('answers 429 with Retry-After and X-Sentry-Rate-Limits, storing nothing of the refused request', async () => {
    const run = await start({ rateLimit: { events: 3, windowSeconds: 60 } });
    assert.equal((await post(run.url, envelope([errorEvent('1'), errorEvent('2')]))).status, 200);
    assert.equal((await post(run.url, envelope([errorEvent('3')]))).status, 200);
    const refused = await post(run.url, envelope([errorEvent('4')]));
    assert.equal(refused.status, 429);
    assert.match(await detail(refused), /rate limit/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal(refused.headers.get('x-sentry-rate-limits'), `${retryAfter}:error;default:project`);
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /X-Sentry-Rate-Limits/);

    // Sessions (their own window) and client reports still pass; another project is not limited.
    const session = { init: true, started: new Date().toISOString(), attrs: { release: 'shop@1.0.0' } };
    assert.equal((await post(run.url, `{}\n{"type":"session"}\n${JSON.stringify(session)}\n{"type":"client_report"}\n{}\n`)).status, 200);
    assert.equal((await post(run.url, envelope([errorEvent('home')]), { project: HOME.id, key: HOME.publicKey })).status, 200);
    assert.equal((await listEvents(run)).length, 3);
  });

  it('is off by default', async () => {
    const run = await start();
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(run.url, envelope([errorEvent(`n${i}`)]))));
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
  });
});
