/**
 * The deploy console's Releases panel on /teams/shop, over real HTTP against a real registry
 * file and sessions posted through the real ingest: the live release, the canary and its
 * controls, the release list, Release health, the moves (the guard's rollbacks marked), what it
 * says without a registry or with a broken one, and that it escapes what the registry says.
 * (Its endpoints: release-pointer.test.ts, canary-controls.test.ts.)
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { cleanUp, detail, envelope, errorEvent, post } from '../testing.ts';
import { postSession, sdkSession } from '../sessions/testing.ts';
import { REGISTRY, canaryRegistry, page, postJson, releasesOf, withRegistry } from './testing.ts';

afterEach(cleanUp);

const ORIGINS = { '1.0.0': 'http://localhost:3001', '1.1.0': 'http://localhost:3011', '1.2.0': 'http://localhost:3021' };

/** The row of a table in `section` marked with `attribute` (e.g. `data-health="shop@1.0.0"`). */
function rowOf(section: string, attribute: string): string {
  const start = section.indexOf(`<tr ${attribute}`);
  assert.notEqual(start, -1, `a row ${attribute}`);
  return section.slice(start, section.indexOf('</tr>', start));
}

describe('Releases panel', () => {
  it('lists every release of shop, marks the live one and offers a button for the other', async () => {
    const run = await withRegistry();
    const { status, markup, headers } = await page(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    assert.match(headers.get('content-security-policy') ?? '', /form-action 'self'/);
    const section = releasesOf(markup);
    assert.ok(section, 'a Releases section');
    assert.ok(section.includes('<h2 id="releases-heading">Releases</h2>'));
    assert.ok(section.includes('The hosts (home, checkout)'));
    assert.ok(section.includes(`Registry <code>${run.file}</code>`));
    assert.ok(section.includes('<p data-live-release="1.1.0">Live: <code>shop@1.1.0</code> <span class="badge-live">live</span>'));
    assert.ok(section.includes('<p data-no-canary>No canary: every visitor gets the live release.</p>'));

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

    // The form that starts a canary offers the releases that are not live, labelled.
    const start = /<form method="post" action="\/api\/releases\/shop\/canary" class="start-canary" data-start-canary>([\s\S]*?)<\/form>/.exec(section)?.[1];
    assert.ok(start, 'the start form');
    assert.ok(start.includes('<label for="canary-version">Start a canary: release</label>'));
    assert.ok(start.includes('<select id="canary-version" name="version" required><option value="1.0.0" selected>shop@1.0.0</option></select>'));
    assert.ok(start.includes('<label for="canary-percent">for</label>'));
    assert.ok(start.includes('<input id="canary-percent" name="percent" type="number" min="0" max="100" step="1" required value="10"'));
    assert.ok(start.includes('<button type="submit">Start canary</button>'));

    // The moves, newest first.
    const moves = section.slice(section.indexOf('data-release-moves'));
    assert.ok(moves.indexOf('live <code>shop@1.0.0</code> → <code>shop@1.1.0</code>') < moves.indexOf('live <code>none</code> → <code>shop@1.0.0</code>'));
    assert.ok(moves.includes('<td>deploy</td>'));
    assert.ok(section.includes('<code>npm run releases</code>'));
    assert.ok(section.includes('<code>npm run canary -- shop &lt;release&gt; --percent &lt;n&gt;</code>'));
    // Forms need no script: the page's only script is still the live view's file.
    assert.deepEqual(markup.match(/<script[^>]*>/g), ['<script src="/ui/live.js" defer>']);
  });

  it("shows each release's health from the sessions and errors shop's project received, the canary and the live release first", async () => {
    const run = await withRegistry(canaryRegistry(ORIGINS, { version: '1.2.0', percent: 25, since: '2025-01-02T09:00:00.000Z', by: 'inbox' }));
    const sessions = [
      ...Array.from({ length: 6 }, () => sdkSession({ release: 'shop@1.0.0' })),
      sdkSession({ release: 'shop@1.0.0', status: 'crashed', errors: 1 }),
      sdkSession({ release: 'shop@1.0.0', errors: 1 }), // errored: an error, no crash
      sdkSession({ release: 'shop@1.2.0' }),
      sdkSession({ release: 'shop@1.2.0', status: 'crashed', errors: 1 }),
      sdkSession({ release: 'shop@0.9.0' }),
    ];
    for (const session of sessions) assert.equal((await postSession(run, session)).status, 200);
    const events = [errorEvent('cart broke', { release: 'shop@1.2.0' }), errorEvent('again', { release: 'shop@1.2.0' })];
    assert.equal((await post(run.url, envelope(events))).status, 200);

    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    const health = section.slice(section.indexOf('<table data-release-health>'), section.indexOf('</table>', section.indexOf('<table data-release-health>')));
    assert.ok(health.includes('<th scope="col" class="num">Crash-free</th>'));
    const order = ['shop@1.2.0', 'shop@1.0.0', 'shop@0.9.0'].map((release) => health.indexOf(`data-health="${release}"`));
    assert.ok(order.every((at, i) => at !== -1 && (i === 0 || at > (order[i - 1] ?? 0))), `canary, live, then the rest: ${order.join(', ')}`);

    const canary = rowOf(health, 'data-health="shop@1.2.0"');
    assert.ok(canary.includes('data-rollout="canary"'));
    assert.ok(canary.includes('<th scope="row"><code>shop@1.2.0</code> <span class="badge-canary">canary</span></th>'));
    assert.deepEqual(
      [...canary.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((match) => match[1]),
      ['2', '1 (50 %)', '50 %', '1.00'],
      'sessions, failed, crash-free, errors per session',
    );
    const live = rowOf(health, 'data-health="shop@1.0.0"');
    assert.ok(live.includes('<span class="badge-live">live</span>'));
    assert.deepEqual(
      [...live.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((match) => match[1]),
      ['8', '2 (25 %)', '87.5 %', '0.00'],
    );
    const older = rowOf(health, 'data-health="shop@0.9.0"');
    assert.ok(!older.includes('data-rollout'));
    assert.ok(!older.includes('badge-'));
  });

  it('says when the live release or the canary has no sessions yet', async () => {
    const run = await withRegistry(canaryRegistry(ORIGINS, { version: '1.1.0', percent: 5, since: '2025-01-02T09:00:00.000Z', by: 'ci' }));
    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    assert.ok(rowOf(section, 'data-health="shop@1.1.0"').includes('<td colspan="5" class="muted">no sessions yet</td>'));
    assert.ok(rowOf(section, 'data-health="shop@1.0.0"').includes('no sessions yet'));

    const bare = await withRegistry({ shop: { live: null, releases: REGISTRY.shop.releases } });
    const none = releasesOf((await page(`${bare.url}/teams/shop`)).markup) ?? '';
    assert.ok(none.includes('<p class="muted" data-no-health>No sessions of shop yet'));
    assert.ok(none.includes('<p data-no-live>No release of shop is live'));
    assert.ok(!none.includes('data-start-canary'), 'no canary without a live release');
  });

  it("marks the guard's rollbacks with their reason and figures among the moves", async () => {
    const rollback = {
      from: '1.2.0',
      to: '1.0.0',
      at: '2025-01-02T09:05:00.000Z',
      by: 'guard',
      kind: 'canary-end',
      percent: 25,
      reason: 'failed sessions 9/20 against 0/118 on the live release (Wilson 99 %)',
      figures: { canary_sessions: 20, canary_failed: 9, live_sessions: 118, live_failed: 0 },
    };
    const registry = canaryRegistry(ORIGINS) as { shop: { moves: unknown[] } };
    registry.shop.moves.push(
      { from: '1.0.0', to: '1.2.0', at: '2025-01-02T09:00:00.000Z', by: 'inbox', kind: 'canary', percent: 25 },
      rollback,
      { from: '1.0.0', to: '1.1.0', at: '2025-01-02T10:00:00.000Z', by: 'inbox', kind: 'canary', percent: 5 },
      { from: '1.1.0', to: '1.0.0', at: '2025-01-02T10:01:00.000Z', by: 'inbox', kind: 'canary-end', percent: 5, reason: 'done' },
    );
    const run = await withRegistry(registry);
    const section = releasesOf((await page(`${run.url}/teams/shop`)).markup) ?? '';
    const guard = rowOf(section, 'class="guard-rollback" data-guard-rollback');
    assert.ok(guard.includes('<strong>Rolled back by the guard:</strong> canary <code>shop@1.2.0</code> at 25 % ended, every visitor on <code>shop@1.0.0</code>'));
    assert.ok(guard.includes('<td>guard</td>'));
    assert.ok(guard.includes('failed sessions 9/20 against 0/118 on the live release (Wilson 99 %)'));
    assert.ok(guard.includes('<code>canary_sessions=20 canary_failed=9 live_sessions=118 live_failed=0</code>'));
    assert.equal(section.match(/data-guard-rollback/g)?.length, 1, "a person's end of a canary is not the guard's");
    assert.ok(rowOf(section, 'data-kind="canary-end"').includes('<td>done'), 'newest first: the ended 1.1.0 canary');
  });

  it('shows no Releases section for teams that are not remotes', async () => {
    const run = await withRegistry();
    for (const team of ['home', 'checkout']) {
      const { status, markup } = await page(`${run.url}/teams/${team}`);
      assert.equal(status, 200);
      assert.equal(releasesOf(markup), undefined, team);
      assert.ok(!markup.includes('Releases</h2>'), team);
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
    assert.ok(section.includes('<p class="error" data-registry-error role="alert">The release registry cannot be read: '));
    assert.ok(section.includes(`${run.file} is not JSON: `));
    assert.ok(!section.includes('<form'));
    assert.ok(markup.includes('<h3>Issues</h3>'), 'the rest of the page is there');

    const wrong = await withRegistry({ shop: { live: '2.0.0', releases: { '1.0.0': { origin: 'http://localhost:3001' } } } });
    const other = releasesOf((await page(`${wrong.url}/teams/shop`)).markup) ?? '';
    assert.ok(other.includes(`${wrong.file}: shop&#39;s live release &quot;2.0.0&quot; is not one of its releases`));

    const refused = await postJson(run, { version: '1.0.0' });
    assert.equal(refused.status, 500);
    assert.match(await detail(refused), /^The release registry cannot be read: .* is not JSON/);
    assert.equal(readFileSync(run.file, 'utf8'), '{"shop": {"live": "1.1.0", "releases": ');
  });

  it('escapes what the registry and the sessions say', async () => {
    const hostile = {
      shop: {
        ...REGISTRY.shop,
        releases: { ...REGISTRY.shop.releases, '1.0.0': { origin: 'http://localhost:3001', registeredAt: '<img src=x onerror=alert(1)>' } },
        moves: [
          ...REGISTRY.shop.moves,
          { from: '1.1.0', to: '1.1.0', at: '"><script>alert(2)</script>', by: '<svg onload=alert(3)>', reason: '<b onclick=alert(4)>' },
          { from: '1.1.0', to: '1.0.0', at: 'x', by: 'guard', kind: 'canary-end', figures: { '<i onmouseover=alert(5)>': '<u>' } },
        ],
      },
    };
    const run = await withRegistry(hostile);
    await postSession(run, sdkSession({ release: 'shop@<em>1</em>' }));
    const { status, markup } = await page(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    for (const tag of ['<img', '<svg', '<b ', '<i ', '<u>', '<em>']) assert.ok(!markup.includes(tag), tag);
    assert.deepEqual(markup.match(/<script[^>]*>/g), ['<script src="/ui/live.js" defer>']);
    assert.ok(markup.includes('&lt;svg onload=alert(3)&gt;'));
    assert.ok(markup.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(markup.includes('&lt;b onclick=alert(4)&gt;'));
    assert.ok(markup.includes('&lt;i onmouseover=alert(5)&gt;=&lt;u&gt;'));
  });
});
