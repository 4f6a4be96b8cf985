/**
 * The UI over real HTTP: pages, escaping, the Content-Security-Policy, the live script's file,
 * and stack traces as an owner reads them (symbolicated frames with code and owners, raw frames,
 * why frames were not resolved).
 * (That the script runs and nothing injected does is checked in a browser by
 * e2e/tests/inbox-xss.spec.ts.)
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import { makeZip, uploadZip } from './artifacts/testing.ts';
import { THROW_LINE, buildFixture, throwingEvent } from './symbolicate/testing.ts';
import { type Running, cleanUp, envelope, errorEvent, listIssues, newId, post, start } from './testing.ts';

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

/** Frames outermost first, as SDKs send them and ingest stores them. */
const RAW_FRAMES = [
  { filename: 'app:///_next/static/chunks/framework-1a2b.js', function: 'oS', lineno: 1, colno: 5012, in_app: true },
  { filename: 'app:///_next/static/chunks/pages/lab/[scenario]-9f8e.js', function: 's', lineno: 1, colno: 2203, in_app: true },
  { filename: 'app:///_next/static/chunks/main-abc.js', function: 'r', lineno: 1, colno: 77, in_app: true },
  { filename: 'app:///_next/static/chunks/webpack-77aa.js', function: 'o', lineno: 1, colno: 300, in_app: true },
  { filename: 'app:///_next/static/chunks/__federation_expose_BrokenComponent-5cc5.js', function: 'd', lineno: 1, colno: 863, in_app: true },
];

function resolved(release: string, sourcemap: string): Record<string, unknown> {
  return { sourcemap, resolved_with: 'debug-id', symbolicated: true, release };
}

/**
 * Shop's component thrown while checkout renders it, routed to shop, in the shape ingest stores
 * once it has resolved the frames it has maps for (one chunk's map is missing).
 */
function symbolicated(): Record<string, unknown> {
  const event = errorEvent('BrokenComponent: render failed', {
    release: 'checkout@1.0.0',
    errors: [{ type: 'js_no_source', url: 'app:///_next/static/chunks/main-abc.js' }],
  });
  const [exception] = (event.exception as { values: Record<string, unknown>[] }).values;
  assert.ok(exception);
  exception.stacktrace = {
    frames: [
      {
        filename: 'node_modules/react-dom/cjs/react-dom.production.js',
        abs_path: 'webpack://_N_E/node_modules/react-dom/cjs/react-dom.production.js',
        function: 'renderWithHooks',
        lineno: 4580,
        colno: 18,
        in_app: false,
        pre_context: ['  var children = Component(props, secondArg);'],
        context_line: '  children = Component(props, secondArg);',
        post_context: ['  return children;'],
        data: resolved(`checkout@${IMG}`, '~/_next/static/chunks/framework-1a2b.js.map'),
      },
      {
        filename: 'src/pages/lab/[scenario].tsx',
        abs_path: 'webpack://_N_E/./src/pages/lab/[scenario].tsx',
        function: 'LabScenario',
        lineno: 31,
        colno: 10,
        in_app: true,
        pre_context: ['export default function LabScenario() {', '  const scenario = useScenario();'],
        context_line: '  return <BrokenComponent label={scenario} />;',
        post_context: ['}'],
        data: resolved('checkout@1.0.0', '~/_next/static/chunks/pages/lab/[scenario]-9f8e.js.map'),
      },
      { ...RAW_FRAMES[2], data: { symbolicated: false } },
      {
        filename: 'webpack/runtime/jsonp chunk loading',
        abs_path: 'webpack://shop/webpack/runtime/jsonp chunk loading',
        function: '__webpack_require__',
        lineno: 20,
        colno: 3,
        in_app: false,
        data: resolved('shop@1.0.0', '~/_next/static/chunks/webpack-77aa.js.map'),
      },
      {
        filename: 'src/exposed/BrokenComponent.tsx',
        abs_path: 'webpack://shop/./src/exposed/BrokenComponent.tsx',
        function: 'BrokenComponent',
        lineno: 12,
        colno: 11,
        in_app: true,
        pre_context: [
          '',
          'export default function BrokenComponent({ label }: Props) {',
          '  const items = useItems();',
          '  if (items.length === 0) {',
          '    // Shown <img src=x onerror=alert(1)> as text',
        ],
        context_line: `    throw new Error('BrokenComponent: render failed' + "${ATTACK}");`,
        post_context: ['  }', '  return <ul>{items}</ul>;', '}'],
        data: resolved('shop@1.0.0', '~/_next/static/chunks/__federation_expose_BrokenComponent-5cc5.js.map'),
      },
    ],
  };
  exception.raw_stacktrace = { frames: RAW_FRAMES };
  return event;
}

/** The markup of each frame on the page, top to bottom. */
function framesIn(markup: string): string[] {
  return markup.split('<li class="frame" data-testid="frame"').slice(1).map((chunk) => chunk.slice(0, chunk.indexOf('</li>')));
}

/** The markup of the `<details>` with this test id (they do not nest). */
function detailsIn(markup: string, testId: string): string {
  const start = markup.indexOf(`data-testid="${testId}"`);
  assert.notEqual(start, -1, `no ${testId}`);
  return markup.slice(start, markup.indexOf('</details>', start));
}

async function html(url: string): Promise<{ status: number; page: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, page: await response.text(), headers: response.headers };
}

/** Sends this event to shop (in a new inbox unless given one) and reads the event's page. */
async function eventPage(event: Record<string, unknown>, inbox?: Running): Promise<{ run: Running; page: string }> {
  const run = inbox ?? (await start());
  await post(run.url, envelope([event]));
  const { status, page } = await html(`${run.url}/events/shop/${String(event.event_id)}`);
  assert.equal(status, 200);
  return { run, page };
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
    assert.ok(page.includes('<code class="fn">onClick</code>'), 'stack trace');
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

  it("shows a resolved event's frames as an owner reads them: crash on top, code with the failing line, each frame's team", async () => {
    const { run, page } = await eventPage(symbolicated());
    assertEscaped(page);
    const frames = framesIn(page);
    assert.equal(frames.length, 5);

    // In-app frames first, the crash frame on top: shop's component, the chunk nobody uploaded a
    // map for, then checkout's page.
    const [crash = '', unresolved = '', host = ''] = frames;
    assert.ok(crash.includes('<code class="fn">BrokenComponent</code>'));
    assert.ok(crash.includes('<code class="where">src/exposed/BrokenComponent.tsx:12:11</code>'));
    assert.ok(crash.includes('<span class="owner" data-owner="shop" title="from shop@1.0.0">shop</span>'));
    assert.ok(
      crash.includes(
        '<tr class="failing" data-testid="failing-line" aria-current="true"><td class="ln">12</td><td><mark><code>' +
          '    throw new Error(&#39;BrokenComponent: render failed&#39; + &quot;&lt;script&gt;window.__xss=1&lt;/script&gt;&quot;);</code></mark></td></tr>',
      ),
    );
    assert.equal(crash.match(/data-testid="failing-line"/g)?.length, 1, 'one failing line per frame');
    // Five lines before, numbered up to the failing one, and the lines after it.
    assert.deepEqual(
      [...crash.matchAll(/<td class="ln">(\d+)<\/td>/g)].map((m) => Number(m[1])),
      [7, 8, 9, 10, 11, 12, 13, 14, 15],
    );
    assert.ok(crash.includes('<code>  const items = useItems();</code>'));
    assert.ok(crash.includes('// Shown &lt;img src=x onerror=alert(1)&gt; as text'));

    assert.ok(host.includes('<code class="fn">LabScenario</code>'));
    assert.ok(host.includes('src/pages/lab/[scenario].tsx:31:10'));
    assert.ok(host.includes('data-owner="checkout"'));
    assert.ok(host.includes('<td class="ln">31</td><td><mark><code>  return &lt;BrokenComponent label={scenario} /&gt;;</code></mark>'));

    assert.ok(unresolved.includes('app:///_next/static/chunks/main-abc.js:1:77'));
    assert.ok(unresolved.includes('data-symbolicated="false"'));
    assert.ok(unresolved.includes('<span class="tag minified">minified</span>'));
    assert.ok(unresolved.includes('data-owner="unknown"'));
    assert.ok(!unresolved.includes('failing-line'), 'no code for a frame nobody resolved');

    // System and library frames come after, collapsed (a closed <details>), crash-nearest first.
    const system = detailsIn(page, 'system-frames');
    assert.ok(page.indexOf(system) > page.indexOf(unresolved));
    assert.ok(system.includes('<summary>2 system and library frames</summary>'));
    assert.ok(!/<details[^>]*open/.test(page), 'nothing expanded by default');
    assert.deepEqual(
      framesIn(system).map((frame) => /<code class="fn">([^<]*)<\/code>/.exec(frame)?.[1]),
      ['__webpack_require__', 'renderWithHooks'],
    );
    assert.ok(system.includes('data-owner="checkout" title="from checkout@&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"'));
    for (const frame of framesIn(system)) assert.ok(frame.includes('data-in-app="false"'));

    // The frames as sent, on demand, crash frame first.
    const raw = detailsIn(page, 'raw-frames');
    assert.ok(raw.includes('<summary>Raw frames as sent (5, minified)</summary>'));
    assert.deepEqual(
      [...raw.matchAll(/<td><code>([^<]*)<\/code><\/td><td><code>([^<]*)<\/code><\/td>/g)].map((m) => `${m[1]} ${m[2]}`),
      RAW_FRAMES.map((frame) => `${frame.function} ${frame.filename}:1:${frame.colno}`).reverse(),
    );

    // Why a frame is still minified, and what fixes it, above the trace.
    const notice = page.indexOf('data-testid="symbolication-errors"');
    assert.ok(notice !== -1 && notice < page.indexOf('data-testid="frame"'));
    assert.ok(
      page.includes(
        '<p>Source maps missing for app:///_next/static/chunks/main-abc.js: run <code>npm run sourcemaps:upload</code>, then send the error again.</p>',
      ),
    );

    // The issue page shows the latest event the same way.
    const [issue] = await listIssues(run);
    const issuePage = (await html(`${run.url}/issues/shop/${String(issue?.id)}/`)).page;
    assertEscaped(issuePage);
    assert.deepEqual(framesIn(issuePage), frames);
  });

  // The whole way: upload API, artifact store, symbolication at ingest, the page.
  it('shows a frame the inbox resolved from an uploaded map: original file, line, code and team', async () => {
    // A real webpack build with sentry-cli's debug IDs, its map uploaded as sentry-cli bundles it.
    const [file] = (await buildFixture()).files;
    assert.ok(file);
    const run = await start();
    const url = `~/_next/static/chunks/${file.name}`;
    const manifest = {
      files: {
        'files/_/_/main.js': { type: 'minified_source', url, headers: { 'debug-id': file.debugId, sourcemap: `${file.name}.map` } },
        'files/_/_/main.js.map': { type: 'source_map', url: `${url}.map`, headers: { 'debug-id': file.debugId } },
      },
      debug_id: file.debugId,
      org: INBOX_ORG,
      release: 'shop@1.0.0',
    };
    const zip = makeZip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
      { name: 'files/_/_/main.js', data: Buffer.from(file.code) },
      { name: 'files/_/_/main.js.map', data: Buffer.from(file.map) },
    ]);
    assert.equal((await uploadZip(run.url, zip, ['shop'])).state, 'ok');

    const { page } = await eventPage(throwingEvent(file), run);
    const [top = ''] = framesIn(page);
    assert.ok(top.includes('data-symbolicated="true"'));
    assert.match(top, new RegExp(`<code class="where">src/price\\.js:${THROW_LINE}:\\d+</code>`));
    assert.ok(top.includes('<span class="owner" data-owner="shop" title="from shop@1.0.0">shop</span>'));
    const failing = `data-testid="failing-line" aria-current="true"><td class="ln">${THROW_LINE}</td><td><mark><code>`;
    assert.match(top, new RegExp(`${failing}\\s*throw new RangeError\\(`));
    assert.ok(detailsIn(page, 'system-frames').includes('node_modules/tiny-lib/index.js'), "the library's frame, collapsed");
    assert.ok(detailsIn(page, 'raw-frames').includes(`app:///_next/static/chunks/${file.name}:`), 'the minified frames on demand');
    assert.ok(!page.includes('data-testid="symbolication-errors"'));
  });

  it('says why frames were not resolved, in words, for each kind of processing error', async () => {
    const { page } = await eventPage(
      errorEvent('maps broken', {
        errors: [
          { type: 'js_no_source', url: 'app:///_next/static/chunks/b.js', debug_id: 'c0ffee00-0000-4000-8000-000000000001' },
          { type: 'js_no_source', debug_id: 'c0ffee00-0000-4000-8000-000000000002' },
          { type: 'js_no_source', url: IMG },
          { type: 'js_invalid_source', url: '~/_next/static/chunks/a.js.map', value: 'Unexpected token' },
          { type: 'js_invalid_sourcemap_location', url: 'app:///_next/static/chunks/c.js', row: 1, column: 99999 },
          { type: 'js_missing_sources_content', source: 'webpack://shop/./src/d.ts', sourcemap: '~/d.js.map' },
          { type: 'js_something_new', url: 'app:///e.js' },
          { no: 'type' },
        ],
      }),
    );
    assertEscaped(page);
    const start = page.indexOf('data-testid="symbolication-errors"');
    const notice = page.slice(start, page.indexOf('</div>', start));
    assert.deepEqual(
      [...notice.matchAll(/<p>(.*?)<\/p>/g)].map((m) => m[1]),
      [
        'Source maps missing for app:///_next/static/chunks/b.js, c0ffee00-0000-4000-8000-000000000002, ' +
          '&quot;&gt;&lt;img src=x onerror=alert(2)&gt;: run <code>npm run sourcemaps:upload</code>, then send the error again.',
        'Source map unreadable for ~/_next/static/chunks/a.js.map (Unexpected token): rebuild and run <code>npm run sourcemaps:upload</code> again.',
        'Positions not found in their source map for app:///_next/static/chunks/c.js: the uploaded map is likely from another build; ' +
          'rebuild and run <code>npm run sourcemaps:upload</code>.',
        'No source code in the map of webpack://shop/./src/d.ts: frames show file and line, but no code.',
        'Some frames could not be resolved (js_something_new) for app:///e.js.',
      ],
    );
  });

  it("shows a dev build's module frame by its path, not as minified", async () => {
    const event = errorEvent('dev frame');
    const [exception] = (event.exception as { values: { stacktrace: { frames: Record<string, unknown>[] } }[] }).values;
    exception?.stacktrace.frames.push({
      filename: 'src/exposed/BrokenComponent.tsx',
      abs_path: 'webpack-internal:///(pages-dir-browser)/./src/exposed/BrokenComponent.tsx',
      function: 'BrokenComponent',
      lineno: 14,
      colno: 11,
      in_app: true,
      data: { symbolicated: false, resolved_with: 'webpack-internal' },
    });
    const { page } = await eventPage(event);
    const [top = ''] = framesIn(page);
    assert.ok(top.includes('<code class="where">src/exposed/BrokenComponent.tsx:14:11</code>'));
    assert.ok(!top.includes('minified'));
  });

  it('shows an event sent before symbolication as it was sent: frames, code, no owner', async () => {
    const { page } = await eventPage(errorEvent('old event'));
    const [top = '', ...rest] = framesIn(page);
    assert.equal(rest.length, 1);
    assert.ok(top.includes('<code class="fn">onClick</code>'));
    assert.ok(top.includes('app:///_next/static/chunks/pages/cart.js:42:7'));
    assert.ok(top.includes('<td class="ln">42</td><td><mark><code>  throw new TypeError(msg);</code></mark>'));
    assert.ok(top.includes('data-owner="unknown"'));
    assert.ok(!top.includes('minified'), 'not known to be minified');
    assert.ok(detailsIn(page, 'system-frames').includes('<code class="fn">run</code>'));
    for (const absent of ['raw-frames', 'symbolication-errors']) assert.ok(!page.includes(`data-testid="${absent}"`));
  });

  it('shows every frame when none is in-app, rather than hiding the whole trace', async () => {
    const event = errorEvent('library only');
    const [exception] = (event.exception as { values: { stacktrace: { frames: Record<string, unknown>[] } }[] }).values;
    for (const frame of exception?.stacktrace.frames ?? []) frame.in_app = false;
    const { page } = await eventPage(event);
    assert.equal(framesIn(page).length, 2);
    assert.ok(!page.includes('data-testid="system-frames"'));
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
