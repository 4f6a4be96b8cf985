/**
 * The UI over real HTTP: pages, escaping, the Content-Security-Policy and the live script's file.
 * (That the script runs and nothing injected does is checked in a browser by
 * e2e/tests/inbox-xss.spec.ts.)
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanUp, envelope, errorEvent, listIssues, newId, post, start } from './testing.ts';

afterEach(cleanUp);

const ATTACK = '<script>window.__xss=1</script>';
const IMG = '"><img src=x onerror=alert(2)>';

function hostile(): Record<string, unknown> {
  return errorEvent(ATTACK, {
    release: IMG,
    tags: { run: '<b>r</b>', owner: 'shop', zone: 'a & b' },
    request: { url: `http://localhost:3000/cart?q=${IMG}` },
    breadcrumbs: { values: [{ category: 'ui.click', message: '<svg onload=alert(3)>' }] },
  });
}

/** Asserts that no injected markup made it into the page as markup. */
function assertEscaped(page: string): void {
  assert.ok(!page.includes(ATTACK));
  assert.ok(!page.includes('<img'));
  assert.ok(!page.includes('<svg'));
  assert.ok(!page.includes('<b>r</b>'));
  // The only script is the live view's file.
  assert.deepEqual(page.match(/<script[^>]*>/g) ?? [], page.includes('live.js') ? ['<script src="/ui/live.js" defer>'] : []);
}

async function html(url: string): Promise<{ status: number; page: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, page: await response.text(), headers: response.headers };
}

describe('UI', () => {
  it('lists every team live on /, escaping event text, under a strict CSP', async () => {
    const run = await start();
    const event = hostile();
    await post(run.url, envelope([event]));
    const { status, page, headers } = await html(`${run.url}/`);
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /text\/html/);
    const csp = headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /connect-src 'self'/);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.equal(headers.get('referrer-policy'), 'no-referrer');
    assert.ok(!page.includes('http-equiv="refresh"'), 'live, not refreshed');
    for (const team of ['home', 'shop', 'checkout']) {
      assert.ok(page.includes(`<section id="${team}" data-project="${team}" data-stream="/api/0/projects/local/${team}/events/stream/">`));
    }
    assertEscaped(page);
    assert.ok(page.includes('TypeError: &lt;script&gt;window.__xss=1&lt;/script&gt;'));
    assert.ok(page.includes(`/events/shop/${String(event.event_id)}`));
    assert.ok(page.includes('zone:a &amp; b'));
  });

  it("shows a team's issues with releases and zones on /teams/<owner>", async () => {
    const run = await start();
    await post(run.url, envelope([errorEvent('Order 1 failed', { release: 'shop@1.0.0', tags: { zone: 'home' } })]));
    await post(run.url, envelope([errorEvent('Order 2 failed', { release: 'shop@1.1.0', tags: { zone: 'checkout' } })]));
    const [issue] = await listIssues(run);
    const { status, page } = await html(`${run.url}/teams/shop`);
    assert.equal(status, 200);
    assert.ok(page.includes(`<tr data-issue-id="${String(issue?.id)}">`));
    assert.ok(page.includes('<td>shop@1.0.0, shop@1.1.0</td>'));
    assert.ok(page.includes('<td>home, checkout</td>'));
    assert.ok(page.includes('<script src="/ui/live.js" defer></script>'));
    assert.equal((await html(`${run.url}/teams/nobody`)).status, 404);
  });

  it('shows an issue with its latest event: stack trace, breadcrumbs, tags and request URL', async () => {
    const run = await start();
    const event = hostile();
    await post(run.url, envelope([event]));
    const [issue] = await listIssues(run);
    const { status, page } = await html(`${run.url}/issues/shop/${String(issue?.id)}/`);
    assert.equal(status, 200);
    assertEscaped(page);
    assert.ok(page.includes('<code>onClick</code>'), 'stack trace');
    assert.ok(page.includes('&lt;svg onload=alert(3)&gt;'), 'breadcrumbs');
    assert.ok(page.includes('<tr><th>Owner</th><td>shop</td></tr>'));
    assert.ok(page.includes('<tr><th>Zone</th><td>a &amp; b</td></tr>'));
    assert.ok(page.includes(`<td data-request-url>http://localhost:3000/cart?q=&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</td>`));
    assert.ok(page.includes(`/events/shop/${String(event.event_id)}`));
    assert.equal((await html(`${run.url}/issues/shop/12345/`)).status, 404);
  });

  it('shows one event in full, and 404 for an unknown one', async () => {
    const run = await start();
    const event = hostile();
    await post(run.url, envelope([event]));
    const { status, page } = await html(`${run.url}/events/shop/${String(event.event_id)}`);
    assert.equal(status, 200);
    assertEscaped(page);
    assert.ok(page.includes('&lt;script&gt;window.__xss=1&lt;/script&gt;'));
    assert.equal((await html(`${run.url}/events/shop/${newId()}`)).status, 404);
  });

  it('serves the live script and the styles as files', async () => {
    const run = await start();
    const script = await fetch(`${run.url}/ui/live.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    const source = await script.text();
    assert.ok(source.includes('new EventSource('));
    assert.ok(!source.includes('innerHTML'), 'the script builds nodes with textContent only');
    const css = await fetch(`${run.url}/ui/inbox.css`);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal((await fetch(`${run.url}/ui/nope.js`)).status, 404);
  });
});
