/**
 * Ingest of spans over real HTTP (spans/protocol.ts, ingest.ts): `span` items (span v2) and
 * `transaction` items as the real SDK sends them (spans/testing.ts), what is stored of them
 * (owner, release, segment, key), malformed items refused whole with their reason, duplicates,
 * and the `span` and `transaction` rate-limit categories.
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startNewTrace, startSpan } from '@sentry/core';
import { SPAN_CONTENT_TYPE } from './spans/protocol.ts';
import { flatten, readTrace, sdk } from './spans/testing.ts';
import { CHECKOUT, type Event, SHOP, cleanUp, detail, envelope, errorEvent, listEvents, post, start } from './testing.ts';

afterEach(cleanUp);

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const ROOT_ID = 'eee19b7ec3c1b174';
const CHILD_ID = 'eee19b7ec3c1b175';

/** A span as the SDK serialises one (SerializedStreamedSpan: span v2, typed attributes). */
function streamedSpan(extra: Event = {}): Event {
  return {
    trace_id: TRACE_ID,
    span_id: CHILD_ID,
    parent_span_id: ROOT_ID,
    name: 'mf.load shop/Header',
    start_timestamp: 1735689600.1,
    end_timestamp: 1735689600.35,
    is_segment: false,
    status: 'ok',
    attributes: {
      'sentry.op': { type: 'string', value: 'mf.load' },
      owner: { type: 'string', value: 'shop' },
      release: { type: 'string', value: 'shop@1.1.0' },
      'sentry.segment.id': { type: 'string', value: ROOT_ID },
      'sentry.segment.name': { type: 'string', value: 'GET /cart' },
      'mf.attempt': { type: 'integer', value: 1 },
    },
    ...extra,
  };
}

/** A `span` item line pair; `header` overrides the item header the SDK writes. */
function spanItem(spans: readonly unknown[], header: Event = {}, payload: Event = {}): string {
  const itemHeader = { type: 'span', item_count: spans.length, content_type: SPAN_CONTENT_TYPE, ...header };
  return `\n${JSON.stringify(itemHeader)}\n${JSON.stringify({ version: 2, items: spans, ...payload })}`;
}

function spanEnvelope(spans: readonly unknown[], header: Event = {}, payload: Event = {}): string {
  return envelope([]) + spanItem(spans, header, payload);
}

describe('ingest of spans', () => {
  it('stores the spans of a span envelope made by the SDK, with owner, release and segment', async () => {
    const run = await start();
    const checkout = sdk(run, CHECKOUT, { release: 'checkout@1.0.0' });
    const traceId = checkout.run(() =>
      startNewTrace(() =>
        startSpan({ name: 'GET /cart', op: 'http.server' }, (root) => {
          startSpan(
            { name: 'mf.load shop/Header', op: 'mf.load', attributes: { owner: 'shop', release: 'shop@1.1.0', 'sentry.release': 'shop@1.1.0' } },
            () => undefined,
          );
          startSpan({ name: 'remote liveness', op: 'mf.liveness', attributes: { owner: 'shop', 'sentry.release': 'shop@1.0.0' } }, () => undefined);
          return root.spanContext().traceId;
        }),
      ),
    );
    await checkout.flush();
    assert.equal(run.inbox.spanCount, 3);
    assert.deepEqual(await listEvents(run, 'checkout'), [], 'spans are not events');

    const nodes = flatten(await readTrace(run, traceId));
    const view = nodes.map(({ node, depth }) => {
      const attributes = node.additional_attributes as Record<string, unknown>;
      return [depth, node.name, node.op, node.project_slug, attributes.owner, attributes.release, node.is_transaction, node.transaction];
    });
    assert.deepEqual(view, [
      [0, 'GET /cart', 'http.server', 'checkout', 'checkout', 'checkout@1.0.0', true, 'GET /cart'],
      [1, 'mf.load shop/Header', 'mf.load', 'checkout', 'shop', 'shop@1.1.0', false, 'GET /cart'],
      // No `release` attribute: the owner's `sentry.release`.
      [1, 'remote liveness', 'mf.liveness', 'checkout', 'shop', 'shop@1.0.0', false, 'GET /cart'],
    ]);
    const [root] = nodes;
    for (const { node } of nodes) {
      assert.equal(node.transaction_id, root?.node.event_id, 'each span names its segment');
      assert.deepEqual(node._inbox, { publicKey: CHECKOUT.publicKey, keySource: 'query' });
    }
  });

  it('stores a transaction (static lifecycle) as spans: its root from contexts.trace, its spans under it', async () => {
    const run = await start();
    const shop = sdk(run, SHOP, { release: 'shop@1.0.0', traceLifecycle: 'static' });
    const traceId = shop.run(() =>
      startNewTrace(() =>
        startSpan({ name: 'GET /product', op: 'http.server' }, (root) => {
          startSpan({ name: 'fetch catalogue', op: 'http.client', attributes: { 'http.response.status_code': 200 } }, () => undefined);
          return root.spanContext().traceId;
        }),
      ),
    );
    await shop.flush();
    assert.equal(run.inbox.spanCount, 2);
    const [root, ...others] = await readTrace(run, traceId);
    assert.equal(others.length, 0);
    assert.equal(root?.event_type, 'span');
    assert.equal(root?.name, 'GET /product');
    assert.equal(root?.op, 'http.server');
    assert.equal(root?.is_transaction, true);
    assert.equal(root?.parent_span_id, null);
    const [child] = root?.children ?? [];
    assert.equal(child?.name, 'fetch catalogue');
    assert.equal(child?.op, 'http.client');
    assert.equal(child?.parent_span_id, root?.event_id);
    assert.equal(child?.transaction_id, root?.event_id);
    assert.equal(child?.transaction, 'GET /product');
    assert.equal((child?.additional_attributes as Record<string, unknown>)['http.response.status_code'], 200);
    for (const node of [root, child]) {
      const attributes = node?.additional_attributes as Record<string, unknown>;
      assert.deepEqual([attributes.owner, attributes.release], ['shop', 'shop@1.0.0'], 'the project and the transaction\'s release');
      assert.ok(Number(node?.duration) >= 0);
    }
  });

  it('stores a span once per project, however often it is sent', async () => {
    const run = await start();
    const body = spanEnvelope([streamedSpan()]);
    for (let i = 0; i < 3; i += 1) assert.equal((await post(run.url, body)).status, 200);
    assert.equal(run.inbox.spanCount, 1);
    assert.equal((await post(run.url, body, { project: CHECKOUT.id, key: CHECKOUT.publicKey })).status, 200);
    assert.equal(run.inbox.spanCount, 2, 'the same span in another project is another span');
  });

  it('refuses a malformed span or transaction item with 400 and its reason, storing nothing of the request', async () => {
    const run = await start();
    const good = streamedSpan();
    const attributes = good.attributes as Event;
    const cases: [string, RegExp][] = [
      [spanItem([good], { content_type: 'application/json' }), /"content_type" other than application\/vnd\.sentry\.items\.span\.v2\+json/],
      [spanItem([good], { item_count: 2 }), /declares "item_count" 2 but holds 1 spans/],
      [spanItem([good], { item_count: undefined }), /declares "item_count" null/],
      [spanItem([good], {}, { version: 1 }), /is not version 2/],
      [spanItem([good], {}, { items: undefined }), /has no "items"/],
      [spanItem([streamedSpan({ trace_id: 'abc' })]), /span 1 of item 2 \(span\) has an invalid "trace_id" \(give 32 hex digits\)/],
      [spanItem([streamedSpan({ span_id: 'x'.repeat(16) })]), /invalid "span_id"/],
      [spanItem([streamedSpan({ parent_span_id: '123' })]), /invalid "parent_span_id"/],
      [spanItem([streamedSpan({ start_timestamp: '2025-01-01T00:00:00Z' })]), /invalid "start_timestamp"/],
      [spanItem([streamedSpan({ end_timestamp: undefined })]), /invalid "end_timestamp"/],
      [spanItem([streamedSpan({ name: 7 })]), /has no "name"/],
      [spanItem([streamedSpan({ is_segment: 'yes' })]), /"is_segment" that is not a boolean/],
      [spanItem([streamedSpan({ attributes: { ...attributes, owner: 'shop' } })]), /attribute "owner" that is not \{ type, value \}/],
      [spanItem([streamedSpan({ attributes: { owner: { type: 'integer', value: 'shop' } } })]), /attribute "owner" whose value is not of its type "integer"/],
      [spanItem([streamedSpan({ attributes: { owner: { type: 'date', value: 'x' } } })]), /attribute "owner" that is not/],
      [spanItem([good, 'span']), /span 2 of item 2 \(span\) is not a JSON object/],
      ['\n{"type":"span","item_count":0,"content_type":"application/vnd.sentry.items.span.v2+json"}\n[]', /is not a JSON object/],
      ['\n{"type":"transaction"}\n{"type":"transaction","transaction":"GET /"}', /has no "contexts.trace"/],
      [
        `\n{"type":"transaction"}\n${JSON.stringify({ contexts: { trace: { trace_id: TRACE_ID, span_id: ROOT_ID } }, start_timestamp: 1, timestamp: 2, spans: [{ span_id: 'nope', start_timestamp: 1, timestamp: 2 }] })}`,
        /span 1 of item 2 \(transaction\) has an invalid "span_id"/,
      ],
      [
        `\n{"type":"transaction"}\n${JSON.stringify({ contexts: { trace: { trace_id: TRACE_ID, span_id: ROOT_ID } }, start_timestamp: 1 })}`,
        /the root span \(contexts\.trace\) of item 2 \(transaction\) has an invalid "end_timestamp"/,
      ],
    ];
    for (const [items, reason] of cases) {
      // A good event beside the bad item: refused with it.
      const response = await post(run.url, envelope([errorEvent('beside a bad span')]) + items);
      assert.equal(response.status, 400, items);
      assert.match(await detail(response), reason);
    }
    assert.equal(run.inbox.storedCount, 0);
    assert.equal(run.inbox.spanCount, 0);
  });

  it('limits spans and transactions in categories of their own', async () => {
    const run = await start({ rateLimit: { events: 3, windowSeconds: 60 } });
    const spans = (count: number): Event[] =>
      Array.from({ length: count }, (_, i) => streamedSpan({ span_id: `${'a'.repeat(14)}${String(i).padStart(2, '0')}` }));
    assert.equal((await post(run.url, spanEnvelope(spans(3)))).status, 200);
    const limited = await post(run.url, spanEnvelope(spans(1)));
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('x-sentry-rate-limits') ?? '', /^\d+:span:project$/);
    // Events have their own window.
    assert.equal((await post(run.url, envelope([errorEvent('still fits')]))).status, 200);

    const transaction = (spanId: string): string =>
      `\n{"type":"transaction"}\n${JSON.stringify({ contexts: { trace: { trace_id: TRACE_ID, span_id: spanId } }, start_timestamp: 1, timestamp: 2 })}`;
    for (const id of ['b'.repeat(16), 'c'.repeat(16), 'd'.repeat(16)]) assert.equal((await post(run.url, envelope([]) + transaction(id))).status, 200);
    const tooMany = await post(run.url, envelope([]) + transaction('e'.repeat(16)));
    assert.equal(tooMany.status, 429);
    assert.match(tooMany.headers.get('x-sentry-rate-limits') ?? '', /^\d+:transaction:project$/);
    assert.equal(run.inbox.spanCount, 6);
  });
});

