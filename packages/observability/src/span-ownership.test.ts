/**
 * Span ownership on spans the real SDK makes: the zone's server Sentry (the options
 * initZoneServer gives @sentry/nextjs's Node SDK, span streaming on), a real HTTP server whose
 * request is a page view of checkout rendering shop, spans started as the host and shop's code
 * start them, and the SDK's own flush. The innermost transport records which DSN each envelope
 * was sent to, so the whole way is real: spanStart stamping, Sentry's span buffer and span v2
 * envelope, the split, the multiplexed transport's matcher.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type * as SentryNext from '@sentry/nextjs';
import {
  dsnFromString,
  getEnvelopeEndpointWithUrlEncodedAuth,
  type BaseTransportOptions,
  type Envelope,
  type SerializedStreamedSpan,
  type Transport,
} from '@sentry/core';
import { resolveTopology, type Owner } from '@repo/topology';
import { beginServerPageView } from './owner-sessions.server';
import { ownerMatcher } from './owner-sessions';
import { zoneServerOptions } from './server';
import { serverTracesSampleRate, tracesSampleRateFrom, zoneSentrySettings, type ZoneSentrySettings } from './settings';
import { SENTRY_SEGMENT_ID, SENTRY_SEGMENT_NAME, spanOwner, splitByOwner, type SpanRoutingContext } from './span-ownership';
import { ownedSpanAttributes, SPAN_OWNER, SPAN_OWNER_SEGMENT_ID, SPAN_RELEASE } from './spans';

const Sentry = createRequire(import.meta.url)('@sentry/nextjs') as typeof SentryNext;

interface Sent {
  readonly url: string;
  readonly envelope: Envelope;
}

/** The innermost transport: what was sent, and to which project's endpoint. */
const sent: Sent[] = [];
function recordingTransport(options: BaseTransportOptions): Transport {
  return {
    send: async (envelope) => {
      sent.push({ url: options.url, envelope });
      return {};
    },
    flush: async () => true,
  };
}

/** The project and key an envelope was sent with: the endpoint's project id and `sentry_key`. */
function projectOf(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.pathname} ${url.searchParams.get('sentry_key')}`;
}

/** The project and key of a DSN, as Sentry's transports compute its endpoint. */
function projectOfDsn(dsn: string): string {
  const parsed = dsnFromString(dsn);
  if (!parsed) throw new Error(`not a DSN: ${dsn}`);
  return projectOf(getEnvelopeEndpointWithUrlEncodedAuth(parsed));
}

/** Shop's code as shop's build stamps it (owner-loader.cjs), as a module of its own file. */
async function shopModule(): Promise<{ fetchPrices: (start: typeof Sentry.startInactiveSpan) => void }> {
  const ownerLoader = createRequire(import.meta.url)('./owner-loader.cjs') as (this: unknown, source: string) => void;
  let code = '';
  ownerLoader.call(
    { getOptions: () => ({ owner: 'shop', release: 'shop@1.1.0' }), callback: (_: unknown, out: string) => (code = out) },
    // Shop's own span, started by shop's code (not through any host wrapper).
    "export function fetchPrices(start) { start({ name: 'shop.prices', op: 'function' }).end(); }\n",
  );
  const file = join(mkdtempSync(join(tmpdir(), 'shop-chunk-')), 'prices.mjs');
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as { fetchPrices: (start: typeof Sentry.startInactiveSpan) => void };
}

/** What one page view of checkout sent, by project. */
interface Delivered {
  readonly byProject: Map<string, SerializedStreamedSpan[]>;
  readonly envelopes: Sent[];
  readonly ids: Record<string, string>;
}

let settings: ZoneSentrySettings;
let delivered: Delivered;
const shopCanary = 'http://localhost:3012';

function attribute(span: SerializedStreamedSpan | undefined, key: string): unknown {
  return span?.attributes[key]?.value;
}

function spansOf(envelope: Envelope): SerializedStreamedSpan[] {
  return envelope[1].flatMap((item) => (item[0].type === 'span' ? (item[1] as { items: SerializedStreamedSpan[] }).items : []));
}

before(async () => {
  process.env.ZONE_NAME = 'checkout';
  process.env.ZONE_RELEASE = 'checkout@2.0.0';
  process.env.SENTRY_ENVIRONMENT = 'test';
  settings = zoneSentrySettings();
  Sentry.init(zoneServerOptions(settings, recordingTransport));
  const { fetchPrices } = await shopModule();
  const shopOrigin = resolveTopology().zones.shop.origin;

  const ids: Record<string, string> = {};
  const pages = createServer((request, response) => {
    // The host page's request: its root span, then shop's page view (a canary at its own origin).
    Sentry.startSpan({ name: 'GET /cart', op: 'http.server', forceTransaction: true }, (root) => {
      ids.root = root.spanContext().spanId;
      beginServerPageView({ owner: 'shop', release: 'shop@1.2.0', rollout: 'canary', visitor: 'v1', response, origin: shopCanary });
      Sentry.startSpan({ name: 'mf.load shop/Header', op: 'mf.load', attributes: ownedSpanAttributes('shop', 'shop@1.2.0') }, (load) => {
        ids.load = load.spanContext().spanId;
        // A fetch under shop's load: shop's, whatever its URL.
        const entry = Sentry.startInactiveSpan({ name: 'GET', op: 'http.client', attributes: { 'url.full': 'http://example.test/x' } });
        ids.entry = entry.spanContext().spanId;
        entry.end();
      });
      // Requests for shop's code, outside any load span: by their URL, at the topology's origin and the page's release's.
      const chunk = Sentry.startInactiveSpan({ name: 'localhost:3001', op: 'resource.script', attributes: { 'url.full': `${shopOrigin}/_next/static/chunks/1.js` } });
      ids.chunk = chunk.spanContext().spanId;
      chunk.end();
      const canary = Sentry.startInactiveSpan({ name: 'HEAD', op: 'http.client', attributes: { 'server.address': 'localhost', 'server.port': 3012 } });
      ids.canary = canary.spanContext().spanId;
      canary.end();
      // Shop's own code starts a span.
      fetchPrices(Sentry.startInactiveSpan);
      // The host's own work: a render span and a fetch elsewhere.
      const render = Sentry.startInactiveSpan({ name: 'render /cart', op: 'function', attributes: { 'next.span_type': 'Render.renderDocument' } });
      ids.render = render.spanContext().spanId;
      render.end();
      const api = Sentry.startInactiveSpan({ name: 'GET', op: 'http.client', attributes: { 'url.full': 'http://localhost:3002/api/cart' } });
      ids.api = api.spanContext().spanId;
      api.end();
      response.end('ok');
    });
  });
  pages.listen(0);
  await once(pages, 'listening');
  const { port } = pages.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    httpRequest({ port, path: '/cart' }, (response) => response.resume().on('end', resolve)).on('error', reject).end();
  });
  pages.close();
  await Sentry.flush(2_000);

  const envelopes = sent.filter((one) => spansOf(one.envelope).length > 0);
  const byProject = new Map<string, SerializedStreamedSpan[]>();
  for (const one of envelopes) byProject.set(projectOf(one.url), [...(byProject.get(projectOf(one.url)) ?? []), ...spansOf(one.envelope)]);
  delivered = { byProject, envelopes, ids };
});

after(() => Sentry.close(2_000));

function projectSpans(owner: Owner): SerializedStreamedSpan[] {
  return delivered.byProject.get(projectOfDsn(settings.dsns[owner])) ?? [];
}

function spanIn(owner: Owner, id: string | undefined): SerializedStreamedSpan | undefined {
  return projectSpans(owner).find((span) => span.span_id === id);
}

describe('span ownership, on the spans of one page view', () => {
  it("keeps the host's spans with the host, untouched", () => {
    const { ids } = delivered;
    const root = spanIn('checkout', ids.root);
    assert.ok(root, 'the request root is in checkout’s project');
    assert.equal(root.is_segment, true);
    assert.equal(attribute(root, SPAN_OWNER), 'checkout');
    assert.equal(attribute(root, SPAN_RELEASE), 'checkout@2.0.0');
    assert.equal(attribute(root, 'sentry.release'), 'checkout@2.0.0');
    for (const id of [ids.render, ids.api]) {
      const span = spanIn('checkout', id);
      assert.equal(attribute(span, SPAN_OWNER), 'checkout');
      // Sentry's own segment (the request), as captureSpan wrote it: v2's key is `sentry.segment.id`.
      assert.equal(attribute(span, SENTRY_SEGMENT_ID), ids.root);
      assert.equal(attribute(span, SENTRY_SEGMENT_NAME), 'GET /cart');
      assert.equal(attribute(span, 'sentry.segment_id'), undefined);
      assert.equal(attribute(span, SPAN_OWNER_SEGMENT_ID), undefined);
    }
    assert.deepEqual(
      projectSpans('checkout').map((span) => attribute(span, SPAN_OWNER)),
      projectSpans('checkout').map(() => 'checkout'),
      'no span of shop’s code in checkout’s project',
    );
  });

  it("sends shop's load and the fetch under it to shop, as a segment of its own under the host's span", () => {
    const { ids } = delivered;
    const load = spanIn('shop', ids.load);
    assert.ok(load, 'mf.load is in shop’s project');
    assert.equal(load.parent_span_id, ids.root, 'its parent is still the host’s request');
    assert.equal(load.is_segment, true);
    assert.equal(attribute(load, SENTRY_SEGMENT_ID), ids.load);
    assert.equal(attribute(load, SENTRY_SEGMENT_NAME), 'mf.load shop/Header');
    assert.equal(attribute(load, 'sentry.release'), 'shop@1.2.0');
    const entry = spanIn('shop', ids.entry);
    assert.ok(entry, 'the fetch under it inherits shop');
    assert.equal(entry.parent_span_id, ids.load);
    assert.equal(entry.is_segment, false);
    assert.equal(attribute(entry, SPAN_OWNER), 'shop');
    assert.equal(attribute(entry, SPAN_RELEASE), 'shop@1.2.0');
    assert.equal(attribute(entry, SENTRY_SEGMENT_ID), ids.load);
    assert.equal(attribute(entry, SENTRY_SEGMENT_NAME), 'mf.load shop/Header');
  });

  it("sends requests for shop's code to shop by their URL: the topology's origin and the page's release's", () => {
    const { ids } = delivered;
    for (const id of [ids.chunk, ids.canary]) {
      const span = spanIn('shop', id);
      assert.ok(span, 'in shop’s project');
      assert.equal(span.parent_span_id, ids.root);
      assert.equal(span.is_segment, true);
      assert.equal(attribute(span, SENTRY_SEGMENT_ID), id);
      // The release the page view uses.
      assert.equal(attribute(span, 'sentry.release'), 'shop@1.2.0');
    }
  });

  it("sends a span started by shop's own code to shop, with the release its module was built as", () => {
    const prices = projectSpans('shop').find((span) => span.name === 'shop.prices');
    assert.ok(prices, 'shop.prices is in shop’s project');
    assert.equal(attribute(prices, 'sentry.release'), 'shop@1.1.0');
    assert.equal(prices.parent_span_id, delivered.ids.root);
  });

  it('gives each project its spans once, all of one trace, each sent with its own project’s key', () => {
    const all = [...delivered.byProject.values()].flat();
    const ids = all.map((span) => span.span_id);
    assert.equal(new Set(ids).size, ids.length, 'no span is sent twice');
    assert.equal(all.length, 8);
    assert.deepEqual(
      [...delivered.byProject.keys()].sort(),
      [projectOfDsn(settings.dsns.checkout), projectOfDsn(settings.dsns.shop)].sort(),
    );
    const traceIds = new Set([...all.map((span) => span.trace_id), ...delivered.envelopes.map((one) => (one.envelope[0] as { trace?: { trace_id?: string } }).trace?.trace_id)]);
    assert.equal(traceIds.size, 1, 'one trace id, in every span and every envelope header');
  });

  it("has the matcher send a split envelope of shop's spans to shop's DSN, and the host's to the default", () => {
    const matcher = ownerMatcher(settings);
    const shopEnvelope = delivered.envelopes.find((one) => projectOf(one.url) === projectOfDsn(settings.dsns.shop));
    const hostEnvelope = delivered.envelopes.find((one) => projectOf(one.url) === projectOfDsn(settings.dsns.checkout));
    assert.ok(shopEnvelope && hostEnvelope);
    assert.deepEqual(matcher({ envelope: shopEnvelope.envelope, getEvent: () => undefined }), [settings.dsns.shop]);
    assert.deepEqual(matcher({ envelope: hostEnvelope.envelope, getEvent: () => undefined }), []);
  });

  it('leaves an envelope with only the host’s spans as it is, and splits a mixed one into the same trace’s parts', () => {
    const hostEnvelope = delivered.envelopes.find((one) => projectOf(one.url) === projectOfDsn(settings.dsns.checkout));
    assert.ok(hostEnvelope);
    const [only] = splitByOwner(hostEnvelope.envelope, 'checkout');
    assert.equal(only?.envelope, hostEnvelope.envelope);
    // The two parts back together make a mixed envelope; splitting it gives each owner its spans.
    const shopEnvelope = delivered.envelopes.find((one) => projectOf(one.url) === projectOfDsn(settings.dsns.shop));
    assert.ok(shopEnvelope);
    const [hostHeaders, [hostItem]] = hostEnvelope.envelope as [Envelope[0], Envelope[1]];
    const mixedSpans = [...spansOf(hostEnvelope.envelope), ...spansOf(shopEnvelope.envelope)];
    const mixed = [hostHeaders, [[{ ...(hostItem as [object, object])[0], item_count: mixedSpans.length }, { ...(hostItem as [object, object])[1], items: mixedSpans }]]] as unknown as Envelope;
    const parts = splitByOwner(mixed, 'checkout');
    assert.deepEqual(parts.map((part) => part.owner), ['checkout', 'shop']);
    for (const part of parts) {
      const [headers, [item]] = part.envelope as [Envelope[0], Envelope[1]];
      assert.equal(headers, hostHeaders);
      assert.equal((item as [{ item_count: number }, unknown])[0].item_count, spansOf(part.envelope).length);
    }
  });
});

describe('spanOwner, the rule', () => {
  const context: SpanRoutingContext = {
    zone: 'checkout',
    release: 'checkout@2.0.0',
    ownerOfOrigin: (origin) => (origin === 'http://localhost:3001' ? 'shop' : undefined),
    pageRelease: (owner) => (owner === 'shop' ? 'shop@1.2.0' : undefined),
    stackOwner: () => ({ owner: 'shop', release: 'shop@1.1.0' }),
  };

  it('takes an explicit owner first, and never attributes a root or a Next span by its stack', () => {
    const attributes = { 'url.full': 'http://localhost:3001/_next/static/chunks/1.js', ...ownedSpanAttributes('checkout', 'checkout@2.0.0') };
    assert.equal(spanOwner({ spanId: 'a', name: 'x', attributes, hasParent: true }, context).owner, 'checkout');
    assert.equal(spanOwner({ spanId: 'b', name: 'GET /cart', attributes: {}, hasParent: false }, context).owner, 'checkout');
    assert.equal(spanOwner({ spanId: 'c', name: 'render', attributes: { 'next.span_type': 'Render.renderDocument' }, hasParent: true }, context).owner, 'checkout');
    assert.deepEqual(spanOwner({ spanId: 'd', name: 'f', attributes: {}, hasParent: true }, context), {
      owner: 'shop',
      release: 'shop@1.1.0',
      root: { id: 'd', name: 'f' },
    });
  });

  it("never asks the stack of a span the browser SDK records from the timeline; such a span is the remote's only by its URL", () => {
    let asked = 0;
    const counting: SpanRoutingContext = { ...context, stackOwner: () => (asked++, context.stackOwner()) };
    for (const op of ['resource.script', 'browser.domContentLoadedEvent', 'ui.webvital.lcp', 'ui.long_animation_frame', 'paint', 'mark', 'measure', 'pageload', 'navigation']) {
      assert.equal(spanOwner({ spanId: op, name: op, attributes: { 'sentry.op': op }, hasParent: true }, counting).owner, 'checkout', op);
    }
    assert.equal(asked, 0);
    const chunk = { 'sentry.op': 'resource.script', 'url.full': 'http://localhost:3001/_next/static/chunks/1.js' };
    assert.equal(spanOwner({ spanId: 'g', name: '1.js', attributes: chunk, hasParent: true }, counting).owner, 'shop');
    assert.equal(spanOwner({ spanId: 'h', name: 'GET /api', attributes: { 'sentry.op': 'http.client' }, hasParent: true }, counting).owner, 'shop');
    assert.equal(asked, 1);
  });

  it("inherits a remote parent's owner, release and owner root, before any URL", () => {
    const parent = { owner: 'shop' as const, release: 'shop@1.2.0', root: { id: 'r', name: 'mf.load shop/Header' } };
    const facts = spanOwner({ spanId: 'e', name: 'GET', attributes: { 'url.full': 'http://localhost:3002/x' }, hasParent: true, parent }, context);
    assert.deepEqual(facts, parent);
  });
});

describe('tracesSampleRateFrom', () => {
  it('traces every page view by default, takes 0 to 1, and refuses anything else by the variable’s name', () => {
    assert.equal(tracesSampleRateFrom(undefined), 1);
    assert.equal(tracesSampleRateFrom(' '), 1);
    assert.equal(tracesSampleRateFrom('0'), 0);
    assert.equal(tracesSampleRateFrom('0.25'), 0.25);
    for (const bad of ['1.5', '-0.1', 'all', 'NaN']) assert.throws(() => tracesSampleRateFrom(bad), /SENTRY_TRACES_SAMPLE_RATE="/);
  });

  it("reads the server's rate from the environment it starts with", () => {
    assert.equal(serverTracesSampleRate({ SENTRY_TRACES_SAMPLE_RATE: '0' }), 0);
    assert.throws(() => serverTracesSampleRate({ SENTRY_TRACES_SAMPLE_RATE: '2' }), /SENTRY_TRACES_SAMPLE_RATE/);
  });
});
