/**
 * The Releases panel of /teams/shop and its endpoint, POST /api/releases/<remote>/live, over real
 * HTTP against a real registry file (read back after every move or refusal).
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { readRegistry } from '@repo/releases/registry';
import { type Running, cleanUp, detail, start, tempDir } from './testing.ts';

afterEach(cleanUp);

const TOKEN = 'tok-releases-7c1';

const REGISTRY = {
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
async function withRegistry(content: unknown = REGISTRY, options: { readToken?: string } = {}): Promise<Running & { file: string }> {
  const file = join(await tempDir('inbox-registry-'), 'registry.json');
  if (content !== null) writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  const run = await start({ registryFile: file, ...options });
  return { ...run, file };
}

async function page(url: string): Promise<{ status: number; markup: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, markup: await response.text(), headers: response.headers };
}

/** The Releases section of a page, or undefined. */
function releasesOf(markup: string): string | undefined {
  const start = markup.indexOf('<section id="releases"');
  return start === -1 ? undefined : markup.slice(start, markup.indexOf('</section>', start) + '</section>'.length);
}

/**
 * Posts as the panel's form does in Chromium, no redirect followed: form-encoded, same origin,
 * and `Origin: null`, because the page has `Referrer-Policy: no-referrer` (checked in Chromium).
 */
function postForm(run: Running, fields: Record<string, string>, headers: Record<string, string> = {}, remote = 'shop'): Promise<Response> {
  return fetch(`${run.url}/api/releases/${remote}/live`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A form post with a `Host` of our choosing (fetch does not let one set it): DNS rebinding. */
function postWithHost(run: Running, host: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${run.url}/api/releases/shop/live`);
    const request = httpRequest(
      url,
      { method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded', ...headers } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end('version=1.0.0');
  });
}

function postJson(run: Running, body: unknown, headers: Record<string, string> = {}, remote = 'shop'): Promise<Response> {
  return fetch(`${run.url}/api/releases/${remote}/live`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('Releases panel', () => {
  it('lists every release of shop, marks the live one and offers a button for the other', async () => {
    const run = await withRegistry();
    const { status, markup, headers } = await page(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    assert.match(headers.get('content-security-policy') ?? '', /form-action 'self'/);
    const section = releasesOf(markup);
    assert.ok(section, 'a Releases section');
    assert.ok(section.includes('<h2>Releases</h2>'));
    assert.ok(section.includes('The hosts (home, checkout)'));

    const live = /<tr data-release="1\.1\.0" data-live>([\s\S]*?)<\/tr>/.exec(section)?.[1];
    assert.ok(live, 'the live row');
    assert.ok(live.includes('<code>shop@1.1.0</code> <span class="badge-live">live</span>'));
    assert.ok(live.includes('<code>http://localhost:3011</code>'));
    assert.ok(live.includes('2025-01-01 11:00:00 UTC'));
    assert.ok(!live.includes('<form'), 'no button for the live release');

    const older = /<tr data-release="1\.0\.0">([\s\S]*?)<\/tr>/.exec(section)?.[1];
    assert.ok(older, 'the other row, not live');
    assert.ok(older.includes('<code>http://localhost:3001</code>'));
    assert.ok(!older.includes('badge-live'));
    assert.ok(
      older.includes(
        '<form method="post" action="/api/releases/shop/live" class="inline" data-make-live="1.0.0">' +
          '<input type="hidden" name="version" value="1.0.0"><button type="submit">Roll back to shop@1.0.0</button></form>',
      ),
    );
    assert.ok(section.indexOf('data-release="1.1.0"') < section.indexOf('data-release="1.0.0"'), 'newest first');

    // The moves, newest first.
    const moves = section.slice(section.indexOf('data-release-moves'));
    assert.ok(moves.indexOf('shop@1.0.0 → shop@1.1.0') < moves.indexOf('none → shop@1.0.0'));
    assert.ok(moves.includes('<td>deploy</td>'));
    assert.ok(section.includes('<code>npm run releases</code>'));
    // A form needs no script: the page's only script is still the live view's file.
    assert.deepEqual(markup.match(/<script[^>]*>/g), ['<script src="/ui/live.js" defer>']);
  });

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
    assert.ok(section.includes('shop@1.1.0 → shop@1.0.0'));
    assert.ok(section.includes('<td>inbox</td>'));
  });

  it('answers JSON with the move, takes shop@<version>, and refuses an unknown release with 409', async () => {
    const run = await withRegistry();
    const moved = await postJson(run, { version: 'shop@1.0.0' });
    assert.equal(moved.status, 200);
    const body = (await moved.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['at', 'by', 'from', 'to']);
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
    // resolves to 127.0.0.1; only the Host tells.
    for (const headers of [
      { origin: `http://rebound.example:${port}`, 'sec-fetch-site': 'same-origin' },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    ]) {
      const rebound = await postWithHost(run, `rebound.example:${port}`, headers);
      assert.equal(rebound.status, 403);
      assert.match(rebound.body, /Host \\"rebound\.example:\d+\\" is not the inbox's/);
    }
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');

    // A cross-origin script's preflight gets no CORS grant.
    const preflight = await fetch(`${run.url}/api/releases/shop/live`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);

    // The inbox's own origins, under any of its loopback names, pass.
    const own = await postForm(run, { version: '1.0.0' }, { origin: `http://localhost:${port}` });
    assert.equal(own.status, 303);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');
    const viaLocalhost = await postWithHost(run, `localhost:${port}`, { origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' });
    assert.equal(viaLocalhost.status, 303);
    assert.equal(readRegistry(run.file).shop?.live, '1.0.0');
  });

  it('refuses a missing or invalid version (400), another body type (415), a non-remote (404) and GET (405)', async () => {
    const run = await withRegistry();
    const before = readFileSync(run.file, 'utf8');
    const missing = await postForm(run, {});
    assert.equal(missing.status, 400);
    assert.match(await detail(missing), /Name the release to make live/);
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

  it('shows no Releases section for teams that are not remotes', async () => {
    const run = await withRegistry();
    for (const team of ['home', 'checkout']) {
      const { status, markup } = await page(`${run.url}/teams/${team}`);
      assert.equal(status, 200);
      assert.equal(releasesOf(markup), undefined, team);
      assert.ok(!markup.includes('<h2>Releases</h2>'), team);
      assert.ok(!markup.includes('/api/releases/'), team);
      assert.ok(!markup.includes('<form'), team);
    }
    assert.ok(!(await page(`${run.url}/`)).markup.includes('<form'), 'nor on the index');
  });

  it('says so when no registry exists, with the commands to use', async () => {
    const run = await withRegistry(null);
    const { status, markup } = await page(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    const section = releasesOf(markup) ?? '';
    assert.ok(section.includes('<p data-no-releases>No release of shop is registered yet'));
    assert.ok(section.includes('<code>npm run releases</code>'));
    assert.ok(section.includes('<code>npm run rollback -- shop &lt;release&gt;</code>'));
    assert.ok(!section.includes('<form'));
    const refused = await postJson(run, { version: '1.0.0' });
    assert.equal(refused.status, 409);
    assert.match(await detail(refused), /^shop@1\.0\.0 is not a registered release of shop \(none registered in .*registry\.json\)$/);
  });

  it('shows the error of a malformed registry instead of failing the page, and moves nothing', async () => {
    const run = await withRegistry('{"shop": {"live": "1.1.0", "releases": ');
    const { status, markup } = await page(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    const section = releasesOf(markup) ?? '';
    assert.ok(section.includes('<p class="error" data-registry-error>The release registry cannot be read: '));
    assert.ok(section.includes(`${run.file} is not JSON: `));
    assert.ok(markup.includes('<h3>Issues</h3>'), 'the rest of the page is there');

    const wrong = await withRegistry({ shop: { live: '2.0.0', releases: { '1.0.0': { origin: 'http://localhost:3001' } } } });
    const other = releasesOf((await page(`${wrong.url}/teams/shop`)).markup) ?? '';
    assert.ok(other.includes(`${wrong.file}: shop&#39;s live release &quot;2.0.0&quot; is not one of its releases`));

    const refused = await postJson(run, { version: '1.0.0' });
    assert.equal(refused.status, 500);
    assert.match(await detail(refused), /^The release registry cannot be read: .* is not JSON/);
    assert.equal(readFileSync(run.file, 'utf8'), '{"shop": {"live": "1.1.0", "releases": ');
  });

  it('escapes what the registry says', async () => {
    const hostile = {
      shop: {
        ...REGISTRY.shop,
        releases: { ...REGISTRY.shop.releases, '1.0.0': { origin: 'http://localhost:3001', registeredAt: '<img src=x onerror=alert(1)>' } },
        moves: [...REGISTRY.shop.moves, { from: '1.1.0', to: '1.1.0', at: '"><script>alert(2)</script>', by: '<svg onload=alert(3)>' }],
      },
    };
    const run = await withRegistry(hostile);
    const { status, markup } = await page(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    assert.ok(!markup.includes('<img'));
    assert.ok(!markup.includes('<svg'));
    assert.deepEqual(markup.match(/<script[^>]*>/g), ['<script src="/ui/live.js" defer>']);
    assert.ok(markup.includes('&lt;svg onload=alert(3)&gt;'));
    assert.ok(markup.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });
});

describe('Releases panel with a read token', () => {
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
