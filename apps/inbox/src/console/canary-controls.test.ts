/**
 * The deploy console's canary controls over real HTTP against a real registry file read back
 * after every move or refusal: POST /api/releases/shop/canary, /promote and /canary/end from the
 * panel's forms and as JSON, /live ending a canary, and every refusal (bad percent, unknown or
 * live release, a release that does not answer, no such canary, a broken registry, another
 * origin, no token). Releases that "answer" are real HTTP servers serving a browser entry.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { readRegistry } from '@repo/releases/registry';
import { cleanUp, detail } from '../testing.ts';
import {
  canaryRegistry,
  closeReleases,
  page,
  pageRefusal,
  postForm,
  postJson,
  releaseServer,
  releasesOf,
  silentOrigin,
  withRegistry,
} from './testing.ts';

afterEach(async () => {
  await cleanUp();
  await closeReleases();
});

const TOKEN = 'tok-canary-51d';

/** An inbox over a registry whose three shop releases all answer. */
async function answering(canary: unknown = null, options: { readToken?: string } = {}) {
  const [v100, v110, v120] = await Promise.all([releaseServer(), releaseServer(), releaseServer()]);
  const run = await withRegistry(canaryRegistry({ '1.0.0': v100.origin, '1.1.0': v110.origin, '1.2.0': v120.origin }, canary), options);
  return { ...run, v120 };
}

function shopOf(file: string) {
  const shop = readRegistry(file).shop;
  assert.ok(shop, 'shop in the registry');
  return shop;
}

const RUNNING_CANARY = { version: '1.2.0', percent: 20, since: '2025-01-02T09:00:00.000Z', by: 'ci' };

describe('canary controls', () => {
  it('starts a canary from the form after checking the release answers, and the panel shows it with promote and end', async () => {
    const run = await answering();
    const response = await postForm(run, { version: '1.2.0', percent: '25' }, {}, 'shop', 'canary');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/teams/shop');
    assert.equal(run.v120.requests(), 1, "the release's browser entry was asked first");

    const shop = shopOf(run.file);
    assert.equal(shop.live, '1.0.0', 'the live release stays');
    assert.equal(shop.canary?.version, '1.2.0');
    assert.equal(shop.canary?.percent, 25);
    assert.equal(shop.canary?.by, 'inbox');
    assert.ok(Math.abs(Date.parse(shop.canary?.since ?? '') - Date.now()) < 60_000);
    assert.deepEqual({ ...shop.moves.at(-1), at: undefined }, { from: '1.0.0', to: '1.2.0', at: undefined, by: 'inbox', kind: 'canary', percent: 25 });

    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    const canary = /<div class="canary" data-canary="1\.2\.0">([\s\S]*?)<\/div>/.exec(section)?.[1] ?? '';
    assert.ok(canary.includes('<code>shop@1.2.0</code> <span class="badge-canary">canary</span>'));
    assert.ok(canary.includes('<strong data-canary-percent>25 %</strong> of visitors since '));
    assert.ok(canary.includes('(started by inbox)'));
    assert.ok(
      canary.includes(
        '<form method="post" action="/api/releases/shop/promote" class="inline" data-promote="1.2.0">' +
          '<input type="hidden" name="version" value="1.2.0"><button type="submit">Promote shop@1.2.0 to live</button></form>',
      ),
    );
    assert.ok(
      canary.includes(
        '<form method="post" action="/api/releases/shop/canary/end" class="inline" data-end-canary="1.2.0">' +
          '<input type="hidden" name="version" value="1.2.0"><button type="submit">End the canary (every visitor back on shop@1.0.0)</button></form>',
      ),
    );
    assert.match(section, /<tr data-release="1\.2\.0" data-canary>[\s\S]*?<span class="badge-canary">canary 25 %<\/span>/);
    assert.ok(section.includes('canary <code>shop@1.2.0</code> at 25 % <span class="muted">(live shop@1.0.0)</span>'));
    // The start form now changes the canary, preset to it.
    assert.ok(section.includes('<option value="1.2.0" selected>shop@1.2.0</option>'));
    assert.ok(section.includes('value="25" aria-describedby="canary-help"'));
    assert.ok(section.includes('<button type="submit">Change canary</button>'));
  });

  it('changes the percent of a running canary as JSON, keeping when it started, and ends it from the form', async () => {
    const run = await answering(RUNNING_CANARY);
    const raised = await postJson(run, { version: 'shop@1.2.0', percent: 50 }, {}, 'shop', 'canary');
    assert.equal(raised.status, 200);
    const move = (await raised.json()) as Record<string, unknown>;
    assert.equal(move.kind, 'canary');
    assert.equal(move.percent, 50);
    assert.equal(move.by, 'inbox');
    assert.deepEqual(shopOf(run.file).canary, { ...RUNNING_CANARY, percent: 50, by: 'inbox' }, 'same since: its visitors stay on it');

    const ended = await postForm(run, { version: '1.2.0', reason: 'checkout errors up' }, {}, 'shop', 'canary/end');
    assert.equal(ended.status, 303);
    const shop = shopOf(run.file);
    assert.equal(shop.canary, null);
    assert.equal(shop.live, '1.0.0');
    assert.deepEqual({ ...shop.moves.at(-1), at: undefined }, {
      from: '1.2.0',
      to: '1.0.0',
      at: undefined,
      by: 'inbox',
      kind: 'canary-end',
      percent: 50,
      reason: 'checkout errors up',
    });
    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    assert.ok(section.includes('<p data-no-canary>No canary: every visitor gets the live release.</p>'));
    assert.ok(section.includes('canary <code>shop@1.2.0</code> at 50 % ended, every visitor on <code>shop@1.0.0</code>'));
    assert.ok(section.includes('<td>checkout errors up'));
  });

  it('promotes the canary: it becomes live for every visitor', async () => {
    const run = await answering(RUNNING_CANARY);
    const promoted = await postJson(run, { version: '1.2.0' }, {}, 'shop', 'promote');
    assert.equal(promoted.status, 200);
    const move = (await promoted.json()) as Record<string, unknown>;
    assert.deepEqual({ ...move, at: undefined }, { from: '1.0.0', to: '1.2.0', at: undefined, by: 'inbox', kind: 'promote', percent: 20 });
    const shop = shopOf(run.file);
    assert.equal(shop.live, '1.2.0');
    assert.equal(shop.canary, null);
    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    assert.ok(section.includes('<p data-live-release="1.2.0">Live: <code>shop@1.2.0</code>'));
    assert.ok(section.includes('canary <code>shop@1.2.0</code> promoted to live <span class="muted">(was shop@1.0.0)</span>'));

    // The same from the form, on a new canary.
    await postJson(run, { version: '1.1.0', percent: 5 }, {}, 'shop', 'canary');
    const form = await postForm(run, {}, {}, 'shop', 'promote');
    assert.equal(form.status, 303);
    assert.equal(shopOf(run.file).live, '1.1.0');
  });

  it('ends any canary when a release is made live', async () => {
    const run = await answering(RUNNING_CANARY);
    const moved = await postJson(run, { version: '1.1.0', reason: 'hotfix' }, {}, 'shop', 'live');
    assert.equal(moved.status, 200);
    const shop = shopOf(run.file);
    assert.equal(shop.live, '1.1.0');
    assert.equal(shop.canary, null);
    const [end, live] = shop.moves.slice(-2);
    assert.equal(end?.kind, 'canary-end');
    assert.equal(end?.from, '1.2.0');
    assert.equal(live?.kind, 'live');
    assert.equal(live?.reason, 'hotfix');
  });

  it('refuses a bad percent, an unknown or live release and a release that does not answer, writing nothing', async () => {
    const [live, healthy] = await Promise.all([releaseServer(), releaseServer()]);
    const failing = await releaseServer(503);
    const run = await withRegistry(canaryRegistry({ '1.0.0': live.origin, '1.1.0': await silentOrigin(), '1.2.0': failing.origin }));
    const before = readFileSync(run.file, 'utf8');
    const canary = (body: unknown) => postJson(run, body, {}, 'shop', 'canary');

    for (const percent of [101, -1, 2.5, '12%', 'ten', true, null]) {
      const response = await canary({ version: '1.2.0', percent });
      assert.equal(response.status, 400, JSON.stringify(percent));
      assert.match(await detail(response), /percent must be a whole number from 0 to 100|Say how many visitors get the canary/);
    }
    const formPercent = await postForm(run, { version: '1.2.0', percent: '1e2' }, {}, 'shop', 'canary');
    assert.equal(formPercent.status, 400);
    assert.match((await pageRefusal(formPercent)).detail, /^percent must be a whole number from 0 to 100 \(the share of visitors sent to the canary\), not "1e2"\.$/);
    const noVersion = await canary({ percent: 10 });
    assert.equal(noVersion.status, 400);
    assert.match(await detail(noVersion), /^Name the release to canary/);

    const unknown = await canary({ version: '9.9.9', percent: 10 });
    assert.equal(unknown.status, 409);
    assert.equal(await detail(unknown), 'shop@9.9.9 is not a registered release of shop (registered: 1.0.0, 1.1.0, 1.2.0)');

    const isLive = await canary({ version: '1.0.0', percent: 10 });
    assert.equal(isLive.status, 409);
    assert.match(await detail(isLive), /^shop@1\.0\.0 is the live release already/);

    const silent = await canary({ version: '1.1.0', percent: 10 });
    assert.equal(silent.status, 409);
    assert.match(await detail(silent), /^shop@1\.1\.0 at http:\/\/127\.0\.0\.1:\d+ does not answer \(http:\/\/127\.0\.0\.1:\d+\/_next\/static\/chunks\/remoteEntry\.js: .+\); a canary of it would put 10 % of visitors on the hosts' fallback/);

    const erring = await canary({ version: '1.2.0', percent: 10 });
    assert.equal(erring.status, 409);
    assert.match(await detail(erring), /remoteEntry\.js answered 503\)/);
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');
    assert.equal(healthy.requests(), 0);
  });

  it('refuses to promote or end a canary that is not there, or not the one the page showed', async () => {
    const run = await answering();
    const before = readFileSync(run.file, 'utf8');
    for (const action of ['promote', 'canary/end'] as const) {
      const response = await postJson(run, {}, {}, 'shop', action);
      assert.equal(response.status, 409, action);
      assert.match(await detail(response), /^shop has no canary to (promote|end) \(canary now: none\)\.$/);
    }
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');

    // The page showed 1.1.0's canary; the guard ended it and someone started 1.2.0 since.
    const other = await answering(RUNNING_CANARY);
    const running = readFileSync(other.file, 'utf8');
    for (const action of ['promote', 'canary/end'] as const) {
      const response = await postForm(other, { version: '1.1.0' }, {}, 'shop', action);
      assert.equal(response.status, 409, action);
      // A form's refusal is a page with the reason and the way back.
      const refusal = await pageRefusal(response);
      assert.equal(refusal.back, '/teams/shop');
      assert.match(refusal.detail, /^shop has no canary of shop@1\.1\.0 to (promote|end) \(canary now: shop@1\.2\.0 \(20 %\)\)\.$/);
    }
    assert.equal(readFileSync(other.file, 'utf8'), running, 'the running canary is untouched');
  });

  it('refuses every control on a registry that cannot be read (500), a non-remote (404), GET (405) and other origins (403)', async () => {
    const broken = await withRegistry('{"shop": {"live": ');
    for (const action of ['canary', 'promote', 'canary/end'] as const) {
      const response = await postJson(broken, { version: '1.2.0', percent: 10 }, {}, 'shop', action);
      assert.equal(response.status, 500, action);
      assert.match(await detail(response), /^The release registry cannot be read: .*registry\.json is not JSON/);
    }
    assert.equal(readFileSync(broken.file, 'utf8'), '{"shop": {"live": ');

    const run = await answering();
    const before = readFileSync(run.file, 'utf8');
    const home = await postJson(run, { version: '1.2.0', percent: 10 }, {}, 'home', 'canary');
    assert.equal(home.status, 404);
    for (const action of ['canary', 'promote', 'canary/end']) {
      const get = await fetch(`${run.url}/api/releases/shop/${action}`);
      assert.equal(get.status, 405, action);
      assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
      const foreign = await postForm(run, { version: '1.2.0', percent: '10' }, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, 'shop', action as 'canary');
      assert.equal(foreign.status, 403, action);
    }
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');
  });

  it('asks for the read token when the inbox has one, from the form field or the header', async () => {
    const run = await answering(null, { readToken: TOKEN });
    const before = readFileSync(run.file, 'utf8');
    const refused = await postForm(run, { version: '1.2.0', percent: '10', token: 'wrong' }, {}, 'shop', 'canary');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="inbox"');
    assert.deepEqual(await pageRefusal(refused), {
      detail: 'This inbox requires its read token: Authorization: Bearer <token> (or the form field token).',
      back: '/teams/shop?token=wrong',
    });
    assert.equal((await postJson(run, {}, { authorization: 'Bearer wrong' }, 'shop', 'canary/end')).status, 401);
    assert.equal(readFileSync(run.file, 'utf8'), before, 'the registry is unchanged');

    const section = releasesOf((await page(`${run.url}/teams/shop?token=${TOKEN}`)).markup) ?? '';
    assert.match(section, /<form method="post" action="\/api\/releases\/shop\/canary" class="start-canary" data-start-canary>[\s\S]*<input type="hidden" name="token" value="tok-canary-51d"><button type="submit">Start canary<\/button>/);

    const started = await postForm(run, { version: '1.2.0', percent: '10', token: TOKEN }, {}, 'shop', 'canary');
    assert.equal(started.status, 303);
    assert.equal(started.headers.get('location'), `/teams/shop?token=${TOKEN}`);
    const ended = await postJson(run, {}, { authorization: `Bearer ${TOKEN}` }, 'shop', 'canary/end');
    assert.equal(ended.status, 200);
    assert.equal(shopOf(run.file).canary, null);
  });
});

describe('canary controls on an HTTP registry', () => {
  it("move the pointers of another inbox's registry over HTTP, and answer 502 when it does not answer", async () => {
    const release = await releaseServer();
    const origins = { '1.0.0': release.origin, '1.1.0': release.origin, '1.2.0': release.origin };
    const served = await withRegistry(canaryRegistry(origins));
    const url = `${served.url}/api/releases/registry.json`;
    const run = await withRegistry(null, { registry: url });

    const started = await postJson(run, { version: '1.2.0', percent: 40 }, {}, 'shop', 'canary');
    assert.equal(started.status, 200);
    assert.equal(shopOf(served.file).canary?.percent, 40, 'written through PUT with If-Match to the file behind the URL');
    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    assert.ok(section.includes(`Registry <code>${url}</code>`));
    assert.ok(section.includes('<strong data-canary-percent>40 %</strong>'));
    assert.equal((await postForm(run, { version: '1.2.0' }, {}, 'shop', 'promote')).status, 303);
    assert.equal(shopOf(served.file).live, '1.2.0');

    await served.inbox.close();
    const down = await postJson(run, { version: '1.1.0', percent: 10 }, {}, 'shop', 'canary');
    assert.equal(down.status, 502);
    assert.match(await detail(down), /^The release registry cannot be read: release registry http:\/\/127\.0\.0\.1:\d+\/api\/releases\/registry\.json cannot be reached \(GET\)/);
    const error = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    assert.ok(error.includes('<p class="error" data-registry-error role="alert">The release registry cannot be read: '));
  });
});
