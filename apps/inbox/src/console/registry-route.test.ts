/**
 * The release registry over HTTP, GET|PUT /api/releases/registry.json, on a real inbox over a
 * real file: conditional reads (ETag, 304), conditional writes (401, 428, 412, 400, 413, 204),
 * and @repo/releases' own HTTP store and reader working through it beside writers of the file.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { parseRegistry, readRegistry, serializeRegistry } from '@repo/releases/registry';
import { createRegistryReader, moveLive, openRegistryStore, registryToken, startCanary } from '@repo/releases/store';
import { cleanUp, detail, requestWithHost } from '../testing.ts';
import { MAX_REGISTRY_BYTES } from './registry-route.ts';
import { REGISTRY, withRegistry } from './testing.ts';

afterEach(cleanUp);

const AUTH = { authorization: `Bearer ${registryToken()}` };

function registryUrl(run: { url: string }): string {
  return `${run.url}/api/releases/registry.json`;
}

function put(run: { url: string }, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(registryUrl(run), { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** REGISTRY with 1.0.0 live again: a change a writer makes. */
const ROLLED_BACK = serializeRegistry(parseRegistry(JSON.stringify({ shop: { ...REGISTRY.shop, live: '1.0.0' } })));

describe('HTTP release registry', () => {
  it('serves the file with a strong ETag, no-cache, and 304 for the ETag the client has, without the read token', async () => {
    const run = await withRegistry(REGISTRY, { readToken: 'tok-read-3a' });
    const response = await fetch(registryUrl(run));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), readFileSync(run.file, 'utf8'));
    const etag = response.headers.get('etag') ?? '';
    assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/, 'a strong ETag');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.headers.get('access-control-allow-origin'), null, 'no CORS: other sites cannot read it');

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetch(registryUrl(run), { headers: { 'if-none-match': ifNoneMatch } });
      assert.equal(again.status, 304, ifNoneMatch);
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(again.headers.get('cache-control'), 'no-cache');
      assert.equal(await again.text(), '');
    }
    const changed = await fetch(registryUrl(run), { headers: { 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
    await changed.body?.cancel();

    const head = await fetch(registryUrl(run), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    assert.equal(await head.text(), '');

    // The inbox's Host check still applies (DNS rebinding).
    const rebound = await requestWithHost(registryUrl(run), `rebound.example:${new URL(run.url).port}`);
    assert.equal(rebound.status, 421);
  });

  it('serves a missing file as the empty registry, which a PUT with its ETag creates', async () => {
    const run = await withRegistry(null);
    const response = await fetch(registryUrl(run));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '{}\n');
    const etag = response.headers.get('etag') ?? '';
    const created = await put(run, ROLLED_BACK, { ...AUTH, 'if-match': etag });
    assert.equal(created.status, 204);
    assert.equal(readFileSync(run.file, 'utf8'), ROLLED_BACK);

    // If-None-Match: * creates only when there is no file; there is one now.
    const again = await put(run, ROLLED_BACK, { ...AUTH, 'if-none-match': '*' });
    assert.equal(again.status, 412);
  });

  it('replaces the file on a PUT with the token and the current ETag, answering the ETag a GET then serves', async () => {
    const run = await withRegistry();
    const etag = (await fetch(registryUrl(run), { method: 'HEAD' })).headers.get('etag') ?? '';
    const written = await put(run, ROLLED_BACK, { ...AUTH, 'if-match': etag });
    assert.equal(written.status, 204);
    const newEtag = written.headers.get('etag');
    assert.notEqual(newEtag, etag);
    assert.equal(readFileSync(run.file, 'utf8'), ROLLED_BACK);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');

    const read = await fetch(registryUrl(run));
    assert.equal(read.headers.get('etag'), newEtag);
    assert.equal(await read.text(), ROLLED_BACK);
    // Written atomically, under the writers' lock: nothing left beside the file.
    assert.deepEqual(readdirSync(dirname(run.file)), ['registry.json']);

    // `If-Match: *` is any current registry (RFC 9110), for a writer that means to overwrite.
    const forced = await put(run, serializeRegistry(parseRegistry(JSON.stringify(REGISTRY))), { ...AUTH, 'if-match': '*' });
    assert.equal(forced.status, 204);
    assert.equal(readRegistry(run.file).shop?.live, '1.1.0');
  });

  it('repairs a malformed registry file with a PUT of the current ETag, which no read-modify-write could', async () => {
    const run = await withRegistry(REGISTRY);
    writeFileSync(run.file, '{ "shop": ');
    const served = await fetch(registryUrl(run));
    assert.equal(await served.text(), '{ "shop": ', 'the bytes in place, as they are');
    const etag = served.headers.get('etag') ?? '';
    const repaired = await put(run, ROLLED_BACK, { ...AUTH, 'if-match': etag });
    assert.equal(repaired.status, 204);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');
  });

  it('refuses writes without the token (401), without If-Match (428), on a stale ETag (412), of a bad registry (400) or too large (413)', async () => {
    const run = await withRegistry();
    const before = readFileSync(run.file, 'utf8');
    const etag = (await fetch(registryUrl(run), { method: 'HEAD' })).headers.get('etag') ?? '';

    const anonymous = await put(run, ROLLED_BACK, { 'if-match': etag });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="inbox"');
    assert.match(await detail(anonymous), /FEDERATION_REGISTRY_TOKEN/);
    assert.equal((await put(run, ROLLED_BACK, { authorization: 'Bearer wrong', 'if-match': etag })).status, 401);

    const blind = await put(run, ROLLED_BACK, AUTH);
    assert.equal(blind.status, 428);
    assert.match(await detail(blind), /^Send If-Match with the ETag/);

    const stale = await put(run, ROLLED_BACK, { ...AUTH, 'if-match': '"an-old-one"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.headers.get('etag'), etag, 'the current ETag, to read again');
    assert.match(await detail(stale), /^If-Match "an-old-one" does not hold: the registry's current ETag is /);
    const weak = await put(run, ROLLED_BACK, { ...AUTH, 'if-match': `W/${etag}` });
    assert.equal(weak.status, 412, 'If-Match compares strongly');
    // Stale wins over bad content: preconditions are checked before the body is looked at.
    assert.equal((await put(run, 'not json', { ...AUTH, 'if-match': '"an-old-one"' })).status, 412);

    const cases: [string, RegExp][] = [
      ['not json', /^the registry sent is not JSON: /],
      ['[]', /^the registry sent must hold an object of remotes/],
      ['{"payments": {"releases": {}}}', /^the registry sent: "payments" is not a remote of the topology$/],
      [
        JSON.stringify({ shop: { ...REGISTRY.shop, canary: { version: '1.1.0', percent: 10, since: '2025-01-01T00:00:00Z', by: 'x' } } }),
        /^the registry sent: shop\.canary: 1\.1\.0 is the live release; a canary is another release$/,
      ],
      [
        JSON.stringify({ shop: { ...REGISTRY.shop, canary: { version: '1.0.0', percent: 150, since: '2025-01-01T00:00:00Z', by: 'x' } } }),
        /"percent" must be an integer from 0 to 100/,
      ],
    ];
    for (const [body, reason] of cases) {
      const refused = await put(run, body, { ...AUTH, 'if-match': etag });
      assert.equal(refused.status, 400, body);
      assert.match(await detail(refused), reason);
    }

    const huge = JSON.stringify({ shop: { ...REGISTRY.shop, moves: [], padding: 'x'.repeat(MAX_REGISTRY_BYTES) } });
    const tooLarge = await put(run, huge, { ...AUTH, 'if-match': etag });
    assert.equal(tooLarge.status, 413);

    const post = await fetch(registryUrl(run), { method: 'POST', headers: AUTH, body: ROLLED_BACK });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD, PUT');
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');
    assert.deepEqual(readdirSync(dirname(run.file)), ['registry.json'], 'no temporary or lock file left');
  });

  it("is a registry @repo/releases' HTTP store writes and its reader follows, beside writers of the file, losing no change", async () => {
    const run = await withRegistry({
      shop: {
        ...REGISTRY.shop,
        releases: { ...REGISTRY.shop.releases, '1.2.0': { origin: 'http://localhost:3021', registeredAt: '2025-01-01T12:00:00.000Z' } },
      },
    });
    const url = registryUrl(run);
    const overHttp = openRegistryStore(url);
    const onDisk = openRegistryStore(run.file);
    const logged: string[] = [];
    const reader = createRegistryReader(url, (line) => logged.push(line));
    reader();

    const move = await startCanary(overHttp, 'shop', '1.2.0', 30, 'bench');
    assert.equal(move.kind, 'canary');
    assert.equal(readRegistry(run.file).shop?.canary?.percent, 30, 'written to the file behind the URL');

    // Writers over HTTP and on the file at once: every move lands (If-Match retries, the lock file).
    const writes = Array.from({ length: 12 }, (_, i) =>
      moveLive(i % 2 === 0 ? overHttp : onDisk, 'shop', i % 3 === 0 ? '1.0.0' : '1.1.0', `writer-${i}`),
    );
    await Promise.all(writes);
    const moves = readRegistry(run.file).shop?.moves ?? [];
    const by = new Set(moves.map((m) => m.by));
    for (let i = 0; i < 12; i++) assert.ok(by.has(`writer-${i}`), `writer-${i}'s move is recorded`);

    // The reader polls in the background (a conditional GET each time) and follows the last move.
    const live = readRegistry(run.file).shop?.live;
    const deadline = Date.now() + 5_000;
    let seen = await reader.next();
    while (seen.shop?.live !== live || seen.shop?.canary !== null) {
      assert.ok(Date.now() < deadline, 'the reader followed the registry within 5 s');
      seen = await reader.next();
    }
    reader.stop();
    assert.deepEqual(logged, []);
    assert.ok(!existsSync(`${run.file}.lock`));
  });
});
