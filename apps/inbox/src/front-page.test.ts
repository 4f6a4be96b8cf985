/**
 * The front page over real HTTP: the three teams side by side, each with its figures, its latest
 * issue and its latest events, in the store's look (the design tokens served from @repo/design),
 * with landmarks for keyboard and screen-reader users. (That a new event reaches its column live
 * is live.js in a browser: the same stream and section attributes as the team view's.)
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterEach, describe, it } from 'node:test';
import { CHECKOUT, cleanUp, envelope, errorEvent, listIssues, post, start } from './testing.ts';

afterEach(cleanUp);

async function text(url: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** The markup of team `slug`'s column. */
function column(page: string, slug: string): string {
  const start = page.indexOf(`<section id="${slug}" data-project="${slug}"`);
  assert.ok(start !== -1, `a column for ${slug}`);
  return page.slice(start, page.indexOf('</section>', start));
}

describe('front page', () => {
  it('shows the three teams side by side, each with its counts, latest issue and latest events', async () => {
    const run = await start();
    for (let i = 1; i <= 10; i++) await post(run.url, envelope([errorEvent(`cart ${i % 2 === 0 ? 'even' : 'odd'}`, { tags: { run: `r${i}` } })]));
    const last = errorEvent('the latest <b>one</b>', { release: 'shop@1.1.0', tags: { zone: 'checkout' } });
    await post(run.url, envelope([last]));
    await post(run.url, envelope([errorEvent('checkout only')]), { project: CHECKOUT.id, key: CHECKOUT.publicKey });
    const [latestIssue] = await listIssues(run);

    const { status, body } = await text(`${run.url}/`);
    assert.equal(status, 200);
    const columns = body.slice(body.indexOf('<div class="columns">'));
    assert.deepEqual(
      [...columns.matchAll(/<section id="(\w+)"/g)].map((match) => match[1]),
      ['home', 'shop', 'checkout'],
      'one column per team, in the topology order',
    );

    const shop = column(body, 'shop');
    assert.ok(shop.includes('<dd data-issue-count>3</dd>'), 'cart even, cart odd, the latest');
    assert.ok(shop.includes('<dd data-event-count>11</dd>'));
    assert.ok(shop.includes(`<article class="issue-card" data-issue-id="${String(latestIssue?.id)}">`));
    assert.ok(shop.includes('TypeError: the latest &lt;b&gt;one&lt;/b&gt;'));
    assert.ok(shop.includes('<span data-issue-events>1</span> event · shop@1.1.0'));
    assert.ok(shop.includes('<ol class="event-list" data-events data-limit="8">'));
    const items = [...shop.matchAll(/<li data-event-id="(\w+)">/g)].map((match) => match[1]);
    assert.equal(items.length, 8, 'the 8 latest events');
    assert.equal(items[0], last.event_id, 'newest first');
    assert.ok(shop.includes('<span class="tag">zone:checkout</span>'));
    assert.ok(shop.includes('<span class="live" data-live-status data-state="static">not live</span>'));
    assert.ok(shop.includes('href="/teams/shop"'));

    const checkout = column(body, 'checkout');
    assert.ok(checkout.includes('<dd data-issue-count>1</dd>') && checkout.includes('<dd data-event-count>1</dd>'));
    assert.ok(checkout.includes('TypeError: checkout only'));
    const home = column(body, 'home');
    assert.ok(home.includes('<dd data-issue-count>0</dd>') && home.includes('<dd data-event-count>0</dd>'));
    assert.ok(home.includes('No issues yet.') && home.includes('No events yet.'));
  });

  it('is a page with landmarks and a skip link, its styles and script files only', async () => {
    const run = await start();
    const { body, headers } = await text(`${run.url}/`);
    assert.ok(body.includes('<a class="skip-link" href="#main">Skip to content</a><header class="topbar"><nav aria-label="Inbox">'));
    assert.ok(body.includes('<main id="main"><h1>Inbox</h1>'));
    assert.ok(body.includes('<link rel="stylesheet" href="/ui/tokens.css"><link rel="stylesheet" href="/ui/inbox.css">'));
    assert.ok(!/ style=|<style/.test(body), 'no inline style (the CSP forbids it)');
    assert.match(headers.get('content-security-policy') ?? '', /style-src 'self';/);
  });

  it("serves the store's design tokens from @repo/design, which the inbox's styles use with fallbacks", async () => {
    const run = await start();
    const tokens = await text(`${run.url}/ui/tokens.css`);
    assert.equal(tokens.status, 200);
    assert.match(tokens.headers.get('content-type') ?? '', /^text\/css/);
    const file = createRequire(import.meta.url).resolve('@repo/design/tokens.css');
    assert.equal(tokens.body, await readFile(file, 'utf8'), "the package's file as it is");

    const css = (await text(`${run.url}/ui/inbox.css`)).body;
    for (const team of ['home', 'shop', 'checkout']) {
      assert.match(css, new RegExp(`\\[data-project="${team}"\\][^{]*\\{ --team: var\\(--team-${team}, #[0-9a-f]{6}\\); --team-ink: var\\(--team-${team}-ink, #[0-9a-f]{6}\\)`));
    }
  });
});
