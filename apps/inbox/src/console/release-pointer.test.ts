/**
 * The deploy console's endpoint, POST /api/releases/<remote>/live, over real HTTP against a real
 * registry file read back after every move or refusal: form and JSON moves, the refusals, the
 * same-origin rule (CSRF, DNS rebinding) and the read token.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { readRegistry } from '@repo/releases/registry';
import { cleanUp, detail, requestWithHost } from '../testing.ts';
import { REGISTRY, page, pageRefusal, postForm, postJson, releasesOf, withRegistry } from './testing.ts';

afterEach(cleanUp);

const TOKEN = 'tok-releases-7c1';

describe('release pointer endpoint', () => {
  it("moves the pointer from the form, records the move by inbox, and sends the browser back", async () => {
    const run = await withRegistry();
    const response = await postForm(run, { version: '1.0.0' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/teams/shop');
    assert.equal(response.headers.get('access-control-allow-origin'), null, 'no CORS on the release pointer');

    const shop = readRegistry(run.file).shop;
    assert.equal(shop?.live, '1.0.0');
    const last = shop?.moves.at(-1);
    assert.equal(last?.from, '1.1.0');
    assert.equal(last?.to, '1.0.0');
    assert.equal(last?.by, 'inbox');
    assert.ok(Math.abs(Date.parse(last?.at ?? '') - Date.now()) < 60_000);
    assert.equal(shop?.moves.length, 3, 'earlier moves kept');
    assert.deepEqual(Object.keys(shop?.releases ?? {}), ['1.0.0', '1.1.0'], 'releases untouched');

    // The page now shows 1.0.0 live, and a button back to 1.1.0, which is newer.
    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    assert.match(section, /<tr data-release="1\.0\.0" data-live>/);
    assert.ok(section.includes('<button type="submit">Make shop@1.1.0 live</button>'));
    assert.ok(section.includes('live <code>shop@1.1.0</code> → <code>shop@1.0.0</code>'));
    assert.ok(section.includes('<td>inbox</td>'));
  });

  it('answers JSON with the move, takes shop@<version>, and refuses an unknown release with 409', async () => {
    const run = await withRegistry();
    const moved = await postJson(run, { version: 'shop@1.0.0' });
    assert.equal(moved.status, 200);
    const body = (await moved.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['at', 'by', 'from', 'kind', 'to']);
    assert.equal(body.kind, 'live');
    assert.equal(body.from, '1.1.0');
    assert.equal(body.to, '1.0.0');
    assert.equal(body.by, 'inbox');
    const shop = readRegistry(run.file).shop;
    assert.equal(shop?.live, '1.0.0');
    assert.equal(shop?.moves.at(-1)?.at, body.at);

    const before = readFileSync(run.file, 'utf8');
    const refused = await postJson(run, { version: '0.9.0' });
    assert.equal(refused.status, 409);
    assert.equal(await detail(refused), 'shop@0.9.0 is not a registered release of shop (registered: 1.0.0, 1.1.0)');
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');
  });

  it('refuses requests from other origins and sites with 403, leaving the registry as it was', async () => {
    const run = await withRegistry();
    const before = readFileSync(run.file, 'utf8');
    const port = new URL(run.url).port;
    const cases: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' }, // a zone's page
      { origin: 'http://localhost:3000' }, // the same without fetch metadata
      { origin: `http://other.example:${port}` }, // another name at the inbox's port
      { origin: 'null' }, // sandboxed frames, file:// pages, without fetch metadata to vouch for it
      { origin: 'null', 'sec-fetch-site': 'cross-site' }, // another site's page under no-referrer
      { 'sec-fetch-site': 'cross-site' }, // fetch metadata alone
    ];
    for (const headers of cases) {
      const response = await fetch(`${run.url}/api/releases/shop/live`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'version=1.0.0',
      });
      assert.equal(response.status, 403, JSON.stringify(headers));
      assert.match(await detail(response), /^Refused: .*only the inbox's own pages may move a release pointer\.$/);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
    }
    const json = await postJson(run, { version: '1.0.0' }, { origin: 'http://evil.example' });
    assert.equal(json.status, 403);
    // DNS rebinding: the attacker's page is same-origin with the attacker's name, which now
    // resolves to 127.0.0.1; only the Host tells. The inbox's Host check refuses the name before
    // the console runs; the console itself refuses any Host but its own origins' (another port,
    // or a name allowlisted for reading).
    const form = (host: string, headers: Record<string, string>) =>
      requestWithHost(`${run.url}/api/releases/shop/live`, host, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'version=1.0.0',
      });
    for (const headers of [
      { origin: `http://rebound.example:${port}`, 'sec-fetch-site': 'same-origin' },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    ]) {
      const rebound = await form(`rebound.example:${port}`, headers);
      assert.equal(rebound.status, 421);
      assert.match(rebound.body, /Host \\"rebound\.example:\d+\\" is not one of this inbox's names/);
    }
    const otherPort = await form('localhost:1', { origin: 'http://localhost:1', 'sec-fetch-site': 'same-origin' });
    assert.equal(otherPort.status, 403);
    assert.match(otherPort.body, /Host \\"localhost:1\\" is not the inbox's/);
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');

    // A cross-origin script's preflight is refused, and gets no CORS grant.
    const preflight = await fetch(`${run.url}/api/releases/shop/live`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 403);
    assert.match(await detail(preflight), /Origin "http:\/\/evil\.example" is not the inbox's own/);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');

    // The inbox's own origins, under any of its loopback names, pass.
    const own = await postForm(run, { version: '1.0.0' }, { origin: `http://localhost:${port}` });
    assert.equal(own.status, 303);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');
    const viaLocalhost = await form(`localhost:${port}`, { origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' });
    assert.equal(viaLocalhost.status, 303);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');
  });

  it('refuses pages of origins allowlisted for reading: they may read the inbox, not move its pointers', async () => {
    const run = await withRegistry(REGISTRY, { allowedOrigins: ['http://lab.test:4000'] });
    const before = readFileSync(run.file, 'utf8');
    const port = new URL(run.url).port;
    const fromLab = await postForm(run, { version: '1.0.0' }, { origin: 'http://lab.test:4000', 'sec-fetch-site': 'cross-site' });
    assert.equal(fromLab.status, 403);
    // Under the allowlisted name itself (which the Host check lets through), the console still refuses.
    const underLabName = await requestWithHost(`${run.url}/api/releases/shop/live`, `lab.test:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://lab.test:${port}`, 'sec-fetch-site': 'same-origin' },
      body: '{"version":"1.0.0"}',
    });
    assert.equal(underLabName.status, 403);
    assert.match(underLabName.body, /is not the inbox's/);
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');
  });

  it('refuses a missing or invalid version (400), another body type (415), a non-remote (404) and GET (405)', async () => {
    const run = await withRegistry();
    const before = readFileSync(run.file, 'utf8');
    const missing = await postForm(run, {});
    assert.equal(missing.status, 400);
    assert.match((await pageRefusal(missing)).detail, /^Name the release to make live/);
    assert.equal((await postJson(run, {})).status, 400);
    const climbing = await postJson(run, { version: '../../etc' });
    assert.equal(climbing.status, 400);
    assert.match(await detail(climbing), /is not a release of shop/);
    const number = await postJson(run, { version: 1 });
    assert.equal(number.status, 400);
    assert.match(await detail(number), /version must be a string/);
    assert.equal((await postJson(run, '{"version":')).status, 400);
    assert.equal((await postJson(run, '["1.0.0"]')).status, 400);
    const text = await fetch(`${run.url}/api/releases/shop/live`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '1.0.0' });
    assert.equal(text.status, 415);

    for (const remote of ['home', 'checkout', 'nobody']) {
      const response = await postJson(run, { version: '1.0.0' }, {}, remote);
      assert.equal(response.status, 404, remote);
      assert.match(await detail(response), /is not a remote; releases exist for shop\./);
    }
    assert.equal((await fetch(`${run.url}/api/releases/shop/elsewhere`, { method: 'POST' })).status, 404);
    const get = await fetch(`${run.url}/api/releases/shop/live`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');
  });

});

describe('release pointer endpoint with a read token', () => {
  it('asks for the token, which the form carries in a field and the redirect carries on', async () => {
    const run = await withRegistry(REGISTRY, { readToken: TOKEN });
    const before = readFileSync(run.file, 'utf8');
    const refused = await postForm(run, { version: '1.0.0' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="inbox"');
    assert.equal((await postForm(run, { version: '1.0.0', token: 'wrong' })).status, 401);
    assert.equal((await postJson(run, { version: '1.0.0' }, { authorization: 'Bearer wrong' })).status, 401);
    // A cross-origin request is refused before anything else, even with the token.
    assert.equal((await postForm(run, { version: '1.0.0', token: TOKEN }, { origin: 'http://evil.example' })).status, 403);
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');

    // The page opened with ?token= puts it in each form.
    const section = releasesOf((await page(`${run.url}/teams/shop?token=${TOKEN}`)).markup) ?? '';
    assert.ok(section.includes(`<input type="hidden" name="token" value="${TOKEN}">`));

    const moved = await postForm(run, { version: '1.0.0', token: TOKEN });
    assert.equal(moved.status, 303);
    assert.equal(moved.headers.get('location'), `/teams/shop?token=${TOKEN}`);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');

    const back = await postJson(run, { version: '1.1.0' }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(back.status, 200);
    assert.equal(readRegistry(run.file).shop?.live, '1.1.0');
  });
});
