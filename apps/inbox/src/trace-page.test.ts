/**
 * The trace page over real HTTP (ui/trace-page.ts, routes/ui.ts): the waterfall of a page view
 * whose spans two projects' SDKs sent, bars coloured by owner with a legend, the project each
 * span was delivered to, the error marked and linked; the event page's link to it; hostile span
 * text shown as text; 404s; the read token.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SPAN_CONTENT_TYPE } from './spans/protocol.ts';
import { pageView } from './spans/testing.ts';
import { type Running, cleanUp, envelope, newId, post, start } from './testing.ts';

afterEach(cleanUp);

async function html(run: Running, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; csp: string }> {
  const response = await fetch(`${run.url}${path}`, { headers });
  return { status: response.status, text: await response.text(), csp: response.headers.get('content-security-policy') ?? '' };
}

/** The rows of the waterfall: [kind, data-owner or project, text of the first cell]. */
function waterfall(page: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>\s*<\/table>/.exec(page.slice(page.indexOf('data-waterfall')))?.[1] ?? '';
  return [...body.matchAll(/<tr class="(span|error-row)"([^>]*)>\s*<td class="span-name indent-(\d+)">([\s\S]*?)<\/td>/g)].map(
    ([, kind, attributes, depth, cell]) => [
      kind ?? '',
      depth ?? '',
      /data-owner="([^"]*)"/.exec(attributes ?? '')?.[1] ?? '-',
      /data-project="([^"]*)"/.exec(attributes ?? '')?.[1] ?? '',
      (cell ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim(),
    ],
  );
}

describe('trace page', () => {
  it('draws every span of the trace across projects, nested, coloured by owner, with the error marked and linked', async () => {
    const run = await start();
    const { traceId, errorId } = await pageView(run);
    const { status, text, csp } = await html(run, `/traces/${traceId}`);
    assert.equal(status, 200);
    assert.match(csp, /style-src 'self'/);
    assert.deepEqual(waterfall(text), [
      ['span', '0', 'checkout', 'checkout', 'http.server GET /cart segment'],
      ['span', '1', 'checkout', 'checkout', 'ui.render render /cart'],
      ['span', '2', 'shop', 'shop', 'ui.render mf.render shop/Header segment'],
      ['span', '3', 'shop', 'shop', 'http.client fetch prices'],
      ['error-row', '4', '-', 'shop', 'error TypeError: prices unavailable'],
    ]);
    // Bars coloured by owner, the legend naming each owner with its colour.
    assert.equal([...text.matchAll(/<rect class="owner-shop"/g)].length, 2);
    assert.equal([...text.matchAll(/<rect class="owner-checkout"/g)].length, 2);
    assert.match(text, /<span class="legend-item"><span class="swatch owner-checkout"><\/span>checkout<\/span><span class="legend-item"><span class="swatch owner-shop"><\/span>shop<\/span>/);
    // The error: a row linking to its event page, and a mark at its time on its span's bar.
    const eventLink = `/events/shop/${errorId}`;
    assert.equal([...text.matchAll(new RegExp(`<a href="${eventLink}"><rect class="error-mark"`, 'g'))].length, 2);
    assert.match(text, new RegExp(`<a href="${eventLink}">TypeError: prices unavailable</a>`));
    // Readable without the picture: offsets and durations as text, no script.
    assert.match(text, /<td class="num">\d+\.\d ms<div class="muted">\+0\.0 ms<\/div><\/td>/);
    assert.doesNotMatch(text, /<script|style="/);
  });

  it("links an event's page to its trace", async () => {
    const run = await start();
    const { traceId, errorId } = await pageView(run);
    const { text } = await html(run, `/events/shop/${errorId}`);
    assert.match(text, new RegExp(`<td data-trace><a href="/traces/${traceId}"><code>${traceId}</code></a>`));
  });

  it('shows hostile span text as text, and an unknown owner in the neutral colour', async () => {
    const run = await start();
    const traceId = newId();
    const hostile = '"><img src=x onerror=alert(1)>';
    const span = {
      trace_id: traceId,
      span_id: 'ab'.repeat(8),
      name: `<script>window.__xss=1</script>`,
      start_timestamp: 1735689600,
      end_timestamp: 1735689601,
      status: 'ok',
      attributes: { owner: { type: 'string', value: hostile }, 'sentry.op': { type: 'string', value: hostile } },
    };
    const body = `${envelope([])}\n${JSON.stringify({ type: 'span', item_count: 1, content_type: SPAN_CONTENT_TYPE })}\n${JSON.stringify({ version: 2, items: [span] })}`;
    assert.equal((await post(run.url, body)).status, 200);
    const { status, text } = await html(run, `/traces/${traceId}`);
    assert.equal(status, 200);
    assert.ok(!text.includes('<img') && !text.includes('<script'));
    assert.match(text, /<rect class="owner-other"/);
    assert.match(text, /&lt;script&gt;window.__xss=1&lt;\/script&gt;/);
  });

  it("names what a request or resource span fetched, without its query (span streaming names them by host only)", async () => {
    const run = await start();
    const traceId = newId();
    const span = {
      trace_id: traceId,
      span_id: 'cd'.repeat(8),
      name: 'localhost',
      start_timestamp: 1735689600,
      end_timestamp: 1735689600.05,
      status: 'ok',
      attributes: {
        owner: { type: 'string', value: 'shop' },
        'sentry.op': { type: 'string', value: 'resource.script' },
        'url.full': { type: 'string', value: 'http://localhost:3001/_next/static/chunks/remoteEntry.js?t=1' },
      },
    };
    const body = `${envelope([])}\n${JSON.stringify({ type: 'span', item_count: 1, content_type: SPAN_CONTENT_TYPE })}\n${JSON.stringify({ version: 2, items: [span] })}`;
    assert.equal((await post(run.url, body)).status, 200);
    const { text } = await html(run, `/traces/${traceId}`);
    assert.match(text, /<div class="span-url muted">http:\/\/localhost:3001\/_next\/static\/chunks\/remoteEntry\.js<\/div>/);
    assert.doesNotMatch(text, /remoteEntry\.js\?t=1/);
  });

  it('answers 404 for a trace it has nothing of or an id that is not one, and asks for the read token', async () => {
    const run = await start();
    assert.equal((await html(run, `/traces/${newId()}`)).status, 404);
    assert.match((await html(run, '/traces/nope')).text, /No trace nope/);

    const guarded = await start({ readToken: 'secret-token' });
    const { traceId, errorId } = await pageView(guarded);
    assert.equal((await html(guarded, `/traces/${traceId}`)).status, 401);
    assert.equal((await html(guarded, `/traces/${traceId}?token=secret-token`)).status, 200);
    const event = await html(guarded, `/events/shop/${errorId}?token=secret-token`);
    assert.match(event.text, new RegExp(`<a href="/traces/${traceId}\\?token=secret-token">`), 'the link carries the token on');
  });
});
