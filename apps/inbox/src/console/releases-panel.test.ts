/**
 * The deploy console's Releases panel on /teams/shop, over real HTTP against a real registry
 * file: what it lists, its buttons, what it says without a registry or with a broken one, and
 * that it escapes what the registry says. (Its endpoint: release-pointer.test.ts.)
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { cleanUp, detail } from '../testing.ts';
import { REGISTRY, page, postJson, releasesOf, withRegistry } from './testing.ts';

afterEach(cleanUp);

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
