/**
 * The trace endpoint over real HTTP (routes/trace-api.ts, spans/trace.ts, views.ts traceView):
 * one trace whose spans two projects' SDKs sent, stitched by parent span ids, errors under their
 * span or as roots, Sentry's node shapes with the inbox's `_inbox`, refusals, and the trace id on
 * the event API.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { INBOX_ORG } from '@repo/topology';
import { type TraceNode, flatten, pageView, readTrace, traceUrl } from './spans/testing.ts';
import { CHECKOUT, type Event, SHOP, cleanUp, envelope, errorEvent, eventsUrl, getJson, newId, post, start } from './testing.ts';

afterEach(cleanUp);

describe('trace API', () => {
  it("stitches one trace from two projects' spans, each node with its project and key, the error under its span", async () => {
    const run = await start();
    const { traceId, errorId } = await pageView(run);
    // An error of the trace whose span was never sent (not sampled): a root of its own.
    const orphan = errorEvent('no span', { contexts: { trace: { trace_id: traceId, span_id: 'ab'.repeat(8) } }, timestamp: 4102444800 });
    assert.equal((await post(run.url, envelope([orphan]), { project: CHECKOUT.id, key: CHECKOUT.publicKey })).status, 200);

    const roots = await readTrace(run, traceId.toUpperCase());
    assert.deepEqual(
      roots.map((root) => [root.event_type, root.event_id]),
      [
        ['span', roots[0]?.event_id],
        ['error', orphan.event_id],
      ],
    );
    const nodes = flatten(roots.slice(0, 1));
    assert.deepEqual(
      nodes.map(({ node, depth }) => [depth, node.event_type, node.name ?? node.description, node.project_slug, (node._inbox as Event).publicKey]),
      [
        [0, 'span', 'GET /cart', 'checkout', CHECKOUT.publicKey],
        [1, 'span', 'render /cart', 'checkout', CHECKOUT.publicKey],
        [2, 'span', 'mf.render shop/Header', 'shop', SHOP.publicKey],
        [3, 'span', 'fetch prices', 'shop', SHOP.publicKey],
        [4, 'error', 'TypeError: prices unavailable', 'shop', SHOP.publicKey],
      ],
    );
    const [request, render, header, fetchPrices] = nodes.map(({ node }) => node);
    assert.equal(header?.parent_span_id, render?.event_id, "shop's segment hangs under checkout's span");
    assert.equal(header?.is_transaction, true);
    assert.equal(header?.transaction_id, header?.event_id);
    assert.equal(fetchPrices?.transaction, 'mf.render shop/Header');
    assert.equal(request?.parent_span_id, null);
    assert.equal(request?.is_transaction, true);

    const keys = ['event_id', 'event_type', 'transaction_id', 'project_id', 'project_slug', 'transaction', 'description', 'op', 'name',
      'parent_span_id', 'is_transaction', 'start_timestamp', 'end_timestamp', 'duration', 'measurements', 'profile_id', 'profiler_id',
      'sdk_name', 'children', 'errors', 'occurrences', 'additional_attributes', '_inbox'];
    assert.deepEqual(Object.keys(header ?? {}), keys);
    assert.equal(header?.project_id, SHOP.id);
    assert.equal(header?.op, 'ui.render');
    assert.deepEqual([header?.measurements, header?.profile_id, header?.occurrences], [{}, '', []]);
    assert.equal(typeof header?.start_timestamp, 'number');
    assert.equal(
      header?.duration,
      Math.round((Number(header?.end_timestamp) - Number(header?.start_timestamp)) * 1e6) / 1e3,
      'milliseconds',
    );
    const attributes = header?.additional_attributes as Event;
    assert.deepEqual([attributes.owner, attributes.release, attributes['mf.remote']], ['shop', 'shop@1.1.0', 'shop']);
    assert.deepEqual(header?._inbox, { publicKey: SHOP.publicKey, keySource: 'query' });

    const [error] = (fetchPrices?.errors ?? []) as TraceNode[];
    assert.deepEqual(error, {
      event_id: errorId,
      event_type: 'error',
      project_id: SHOP.id,
      project_slug: 'shop',
      transaction: '',
      description: 'TypeError: prices unavailable',
      level: 'error',
      issue_id: error?.issue_id,
      issue_type: 'error',
      culprit: error?.culprit,
      short_id: 'SHOP-1',
      start_timestamp: error?.start_timestamp,
      _inbox: { publicKey: SHOP.publicKey, keySource: 'query' },
    });
    assert.match(String(error?.issue_id), /^[0-9a-f]+$/);
    assert.ok(Number(error?.start_timestamp) >= Number(fetchPrices?.start_timestamp));
    assert.equal(roots[1]?.start_timestamp, 4102444800);
  });

  it("shows an event's trace id and the trace page's path", async () => {
    const run = await start();
    const { traceId, errorId } = await pageView(run);
    const { body } = await getJson(`${eventsUrl(run, 'shop')}${errorId}/`);
    const inbox = (body as { _inbox: Event })._inbox;
    assert.equal(inbox.traceId, traceId);
    assert.equal(inbox.tracePath, `/traces/${traceId}`);

    const untraced = errorEvent('no trace');
    await post(run.url, envelope([untraced]));
    const plain = await getJson(`${eventsUrl(run, 'shop')}${String(untraced.event_id)}/`);
    assert.deepEqual([(plain.body as { _inbox: Event })._inbox.traceId, (plain.body as { _inbox: Event })._inbox.tracePath], [null, null]);
  });

  it('answers [] for a trace it has nothing of, 400 for an id that is not one, 404 for another organization', async () => {
    const run = await start();
    assert.deepEqual(await readTrace(run, newId()), []);
    const bad = await getJson(traceUrl(run, 'not-a-trace'));
    assert.deepEqual([bad.status, bad.body], [400, { detail: 'Invalid trace id not-a-trace: give 32 hex digits.' }]);
    const other = await getJson(traceUrl(run, newId(), 'acme'));
    assert.equal(other.status, 404);
    assert.match((other.body as { detail: string }).detail, new RegExp(`the local organization is "${INBOX_ORG}"`));
  });

  it('requires the read token as the rest of the read API', async () => {
    const run = await start({ readToken: 'secret-token' });
    const traceId = newId();
    assert.equal((await getJson(traceUrl(run, traceId))).status, 401);
    assert.equal((await getJson(`${traceUrl(run, traceId)}?token=secret-token`)).status, 401, 'never in the URL');
    assert.deepEqual(await readTrace(run, traceId, { authorization: 'Bearer secret-token' }), []);
  });

  it('cuts a cycle of parents so every span is in the tree once', async () => {
    const run = await start();
    const traceId = newId();
    const span = (id: string, parent: string, start: number): Event => ({
      trace_id: traceId,
      span_id: id,
      parent_span_id: parent,
      name: `span ${id.slice(0, 2)}`,
      start_timestamp: start,
      end_timestamp: start + 1,
      status: 'ok',
      attributes: {},
    });
    const spans = [span('a'.repeat(16), 'b'.repeat(16), 10), span('b'.repeat(16), 'a'.repeat(16), 11)];
    const body = `${envelope([])}\n${JSON.stringify({ type: 'span', item_count: 2, content_type: 'application/vnd.sentry.items.span.v2+json' })}\n${JSON.stringify({ version: 2, items: spans })}`;
    assert.equal((await post(run.url, body)).status, 200);
    const nodes = flatten(await readTrace(run, traceId));
    assert.deepEqual(
      nodes.map(({ node, depth }) => [depth, node.name]),
      [
        [0, 'span aa'],
        [1, 'span bb'],
      ],
    );
  });
});
