/**
 * What deciding a span's owner costs, per rule (packages/observability/src/span-ownership.ts):
 * an explicit owner attribute, a remote-owned parent, a URL on a remote's origin, Next's own
 * spans, and the stack rule, which makes an Error and parses up to 64 frames for module metadata.
 * Measured on the real SDK: the zone server's own Sentry options (span ownership integration
 * included), each span started as the host's or shop's code starts it, deep in a call stack as a
 * server render is, so the stack rule parses as many frames as it does in a zone.
 *
 * Sentry instruments the process it starts in (http, fetch), so the measurement runs in a child
 * process of its own: `measureSpanRule()` starts this file, which prints its figures as JSON.
 *
 * And how often the stack rule runs: `stackPathSpansOfPageView()` classifies the spans of one
 * real page view's trace (server and browser), as stored by the inbox, by the rule that decided
 * each.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from '@playwright/test';
import type * as SentryNextModule from '@sentry/nextjs';
import { originsOfSpan } from '@repo/observability/span-ownership';
import { isTimelineSpanOp } from '@repo/observability/spans';
import { INBOX_ORG } from '@repo/topology';
import { median, table } from './stats.ts';

/** The rule paths timed, in the order the rule tries them. */
export const RULE_PATHS = [
  'root span (the request: no rule)',
  'explicit owner attribute',
  'remote-owned parent',
  "URL on a remote's origin",
  "Next's own span (next.span_type)",
  "stack rule: the zone's code (64 frames, no remote)",
  "stack rule: shop's code on the stack",
] as const;
export type RulePath = (typeof RULE_PATHS)[number];

/**
 * Whether Node maps every stack it formats through source maps. `next-zone` imports TypeScript
 * through tsx's `tsImport`, which turns it on (process.setSourceMapsEnabled) for the life of the
 * zone's server: so the zones run 'on' today, where plain `next start` runs 'off'.
 */
export const SOURCE_MAP_MODES = ['off', 'on'] as const;
export type SourceMapMode = (typeof SOURCE_MAP_MODES)[number];

export interface SpanRuleFigures {
  /** Median nanoseconds to start one span, by Node's source-map mode and path (the SDK's own work included). */
  readonly nsPerSpan: Readonly<Record<SourceMapMode, Readonly<Record<RulePath, number>>>>;
  readonly spansPerRound: number;
  readonly rounds: number;
  /** Frames on the stack where the spans start. */
  readonly depth: number;
}

/** How the spans of one page view were decided, by runtime. */
export interface PageViewRules {
  readonly traceId: string;
  readonly server: RuleCounts;
  readonly browser: RuleCounts;
}

export interface RuleCounts {
  readonly spans: number;
  /** Spans that took the stack rule (no explicit owner, no owned parent, no remote URL, not Next's, not a root). */
  readonly stackRule: number;
}

/** A span of the inbox's trace endpoint, as far as the rule needs it. */
export interface StoredSpan {
  readonly event_id: string;
  readonly name: string;
  readonly parent_span_id: string | null;
  readonly op: string;
  readonly additional_attributes: Readonly<Record<string, unknown>>;
  readonly children?: readonly StoredSpan[];
}

/**
 * Whether the stack rule decided this stored span's owner: the rule's order replayed on what
 * the inbox kept. Explicit owners are the host's spans around a remote's code (named `mf.*`); a
 * parent's owner is the one it was stamped with. (Attributes are as the span ended; the rule saw
 * them as it started, which for URLs, ops and Next's span type is the same.)
 */
export function tookStackRule(span: StoredSpan, parent: StoredSpan | undefined, zone: string, remoteOrigins: readonly string[]): boolean {
  if (!parent) return false;
  if (/^mf\./.test(span.name)) return false;
  if (parent.additional_attributes.owner !== zone) return false;
  if (originsOfSpan(span.additional_attributes).some((origin) => remoteOrigins.includes(origin))) return false;
  return span.additional_attributes['next.span_type'] === undefined && !isTimelineSpanOp(span.op);
}

/** Every span of a trace's tree, with its parent. */
export function flattenTrace(roots: readonly StoredSpan[]): { span: StoredSpan; parent: StoredSpan | undefined }[] {
  const out: { span: StoredSpan; parent: StoredSpan | undefined }[] = [];
  const visit = (span: StoredSpan, parent: StoredSpan | undefined) => {
    out.push({ span, parent });
    for (const child of span.children ?? []) visit(child, span);
  };
  for (const root of roots) visit(root, undefined);
  return out;
}

/** Counts, by runtime (a span under the page load is the browser's), the spans the stack rule decided. */
export function countRules(roots: readonly StoredSpan[], zone: string, remoteOrigins: readonly string[]): { server: RuleCounts; browser: RuleCounts } {
  const inBrowser = new Set<string>();
  const counts = { server: { spans: 0, stackRule: 0 }, browser: { spans: 0, stackRule: 0 } };
  for (const { span, parent } of flattenTrace(roots)) {
    const browser = span.op === 'pageload' || span.op === 'navigation' || (parent !== undefined && inBrowser.has(parent.event_id));
    if (browser) inBrowser.add(span.event_id);
    const side = browser ? counts.browser : counts.server;
    side.spans += 1;
    if (tookStackRule(span, parent, zone, remoteOrigins)) side.stackRule += 1;
  }
  return counts;
}

async function traceRoots(inbox: string, traceId: string): Promise<StoredSpan[]> {
  const response = await fetch(new URL(`/api/0/organizations/${INBOX_ORG}/trace/${traceId}/`, inbox));
  if (!response.ok) throw new Error(`the inbox's trace ${traceId} answered ${response.status}`);
  const roots = (await response.json()) as (StoredSpan & { event_type: string })[];
  return roots.filter((root) => root.event_type === 'span');
}

/**
 * One page view of `origin`'s `/` in a browser, and its trace's spans by the rule that decided
 * them, once the trace has the browser's page load and has stopped growing.
 */
export async function stackPathSpansOfPageView(
  browser: Browser,
  { origin, zone, inbox, remoteOrigins }: { origin: string; zone: string; inbox: string; remoteOrigins: readonly string[] },
): Promise<PageViewRules> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // The page view's trace id, from the envelope header of the first trace the browser sends.
    const traceIds: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(`${inbox}/api/`) || !request.url().includes('/envelope/')) return;
      const header = request.postData()?.split('\n')[0];
      const traceId = header ? (JSON.parse(header) as { trace?: { trace_id?: string } }).trace?.trace_id : undefined;
      if (traceId) traceIds.push(traceId);
    });
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    // The browser sends its page load when the page goes idle, or when it is hidden: close it.
    await page.waitForTimeout(3_000);
    await page.close({ runBeforeUnload: true });
    const traceId = traceIds[0];
    if (!traceId) throw new Error(`${origin}/ sent no trace to the inbox: is tracing on?`);
    const deadline = Date.now() + 30_000;
    let last = -1;
    for (;;) {
      const roots = await traceRoots(inbox, traceId);
      const counts = countRules(roots, zone, remoteOrigins);
      const total = counts.server.spans + counts.browser.spans;
      if (counts.browser.spans > 0 && total === last) return { traceId, ...counts };
      if (Date.now() > deadline) throw new Error(`trace ${traceId} never had the browser's page load`);
      last = total;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await context.close();
  }
}

/** The browser's rule paths: Next's own spans are the server's only. */
export const BROWSER_RULE_PATHS = [
  'root span (the request: no rule)',
  'explicit owner attribute',
  'remote-owned parent',
  "URL on a remote's origin",
  "stack rule: the zone's code (64 frames, no remote)",
] as const satisfies readonly RulePath[];
export type BrowserRulePath = (typeof BROWSER_RULE_PATHS)[number];

/**
 * The same in a real page of the zone, in the browser: the page's own Sentry client (its
 * integrations as the zone's browser setup installs them) is given span starts through its
 * `spanStart` hook, as the SDK gives every span it starts, deep in a call stack. Nanoseconds per
 * span, every `spanStart` listener included (Sentry's own as well as the ownership rule).
 */
export async function measureSpanRuleInBrowser(
  browser: Browser,
  { origin, remoteOrigin, spans = 500, rounds = 9 }: { origin: string; remoteOrigin: string; spans?: number; rounds?: number },
): Promise<Record<BrowserRulePath, number>> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    // tsx compiles this file keeping function names, through a helper (`__name`) the function
    // below calls once in the page, where the helper does not exist.
    await page.evaluate('globalThis.__name ??= (fn) => fn');
    const timings = await page.evaluate(
      ({ paths, remoteOrigin, spans, rounds }) => {
        interface Client {
          emit(hook: 'spanStart', span: unknown): void;
        }
        const carrier = (window as unknown as { __SENTRY__?: Record<string, { defaultCurrentScope?: { getClient(): Client | undefined } }> }).__SENTRY__;
        const version = carrier?.version as unknown as string | undefined;
        const client = version ? carrier?.[version]?.defaultCurrentScope?.getClient() : undefined;
        if (!client) throw new Error('no Sentry client on the page');
        let next = 0;
        const id = () => (++next).toString(16).padStart(16, '0');
        const traceId = 'b'.repeat(32);
        // A span as spanToJSON reads a Sentry span: sampled, with its attributes and parent as it starts.
        const span = (attributes: Record<string, unknown>, parent: string | undefined) => {
          const spanId = id();
          return {
            spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
            getSpanJSON: () => ({ span_id: spanId, trace_id: traceId, parent_span_id: parent, name: 'bench', start_timestamp: 0, attributes }),
            // What Sentry's own spanStart listeners may call on it.
            setAttributes() {},
            setAttribute() {},
            setStatus() {},
            addLink() {},
            addLinks() {},
            addEvent() {},
            updateName() {},
            isRecording: () => true,
            end() {},
          };
        };
        // ownedSpanAttributes('shop', 'shop@bench'), as the host's spans around shop's code carry them.
        const ownedByShop = { owner: 'shop', release: 'shop@bench', 'sentry.release': 'shop@bench' };
        let parentId = '';
        const make: Record<string, () => unknown> = {
          'root span (the request: no rule)': () => span({}, undefined),
          'explicit owner attribute': () => span(ownedByShop, 'a'.repeat(16)),
          'remote-owned parent': () => span({}, parentId),
          "URL on a remote's origin": () => span({ 'url.full': `${remoteOrigin}/_next/static/chunks/1.js` }, 'a'.repeat(16)),
          "stack rule: the zone's code (64 frames, no remote)": () => span({}, 'a'.repeat(16)),
        };
        const atDepth = (depth: number, work: () => number): number => (depth <= 0 ? work() : atDepth(depth - 1, work));
        const results: Record<string, number[]> = {};
        for (let r = 0; r <= rounds; r++) {
          for (const path of paths) {
            // A parent of shop's started now (the integration remembers the last 1,000 remote spans),
            // and rounds of fewer spans than that.
            const shopParent = span(ownedByShop, 'a'.repeat(16));
            client.emit('spanStart', shopParent);
            parentId = shopParent.spanContext().spanId;
            const build = make[path] as () => unknown;
            const made = Array.from({ length: spans }, build);
            const ns = atDepth(64, () => {
              const begin = performance.now();
              for (const one of made) client.emit('spanStart', one);
              return ((performance.now() - begin) * 1e6) / spans;
            });
            if (r > 0) (results[path] ??= []).push(ns);
          }
        }
        return results;
      },
      { paths: [...BROWSER_RULE_PATHS], remoteOrigin, spans, rounds },
    );
    return Object.fromEntries(BROWSER_RULE_PATHS.map((path) => [path, median(timings[path] ?? [])])) as Record<BrowserRulePath, number>;
  } finally {
    await context.close();
  }
}

/** Runs the timing in a child process (Sentry instruments the process it starts in) and returns its figures. */
export function measureSpanRule({ quick = false } = {}): Promise<SpanRuleFigures> {
  const file = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...(quick ? ['--quick'] : [])], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, ZONE_NAME: 'checkout', ZONE_RELEASE: 'checkout@bench', SENTRY_ENVIRONMENT: 'bench', SENTRY_TRACES_SAMPLE_RATE: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the span rule benchmark exited with ${code}`));
      const line = out.trim().split('\n').at(-1) ?? '';
      resolve(JSON.parse(line) as SpanRuleFigures);
    });
  });
}

export const SPAN_RULE_HEADER = ['rule path', 'per span (Node source maps off)', 'per span (on, as next-zone runs the zones)'] as const;

const micro = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;

/** The figures as table rows: per span in each mode, and for the stack rule what it adds over a URL's. */
export function spanRuleRows(figures: SpanRuleFigures): string[][] {
  return RULE_PATHS.map((path) => [
    path,
    ...SOURCE_MAP_MODES.map((mode) => {
      const ns = figures.nsPerSpan[mode][path];
      const extra = ns - figures.nsPerSpan[mode]["URL on a remote's origin"];
      return path.startsWith('stack rule') ? `${micro(ns)} (+${micro(extra)})` : micro(ns);
    }),
  ]);
}

// ---- the child: the zone server's Sentry, spans started in each path ----

type SentryNext = typeof SentryNextModule;
type Start = SentryNext['startInactiveSpan'];
type Span = ReturnType<Start>;

/** Calls `work` with `depth` frames of ours below it, as a render deep in React and Next is. */
function atDepth<T>(depth: number, work: () => T): T {
  return depth <= 0 ? work() : atDepth(depth - 1, work);
}

/** Shop's code as shop's build stamps it (the owner loader's module metadata), in a module file of its own. */
async function shopModule(): Promise<{ startSpan: (start: Start) => Span }> {
  const require = createRequire(import.meta.url);
  const ownerLoader = require('@repo/observability/owner-loader') as (this: unknown, source: string) => void;
  let code = '';
  ownerLoader.call(
    { getOptions: () => ({ owner: 'shop', release: 'shop@bench' }), callback: (_: unknown, out: string) => (code = out) },
    "export function startSpan(start) { return start({ name: 'shop.prices', op: 'function' }); }\n",
  );
  const file = join(mkdtempSync(join(tmpdir(), 'span-rule-shop-')), 'prices.mjs');
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as { startSpan: (start: Start) => Span };
}

async function child(quick: boolean): Promise<SpanRuleFigures> {
  const require = createRequire(import.meta.url);
  const Sentry = require('@sentry/nextjs') as SentryNext;
  const { zoneServerOptions } = await import('@repo/observability/server');
  const { ownedSpanAttributes } = await import('@repo/observability/spans');
  const { resolveTopology } = await import('@repo/topology');
  const nothingSent = () => ({ send: async () => ({}), flush: async () => true });
  // The settings zoneSentrySettings() gives checkout's server, every trace sampled.
  const settings: Parameters<typeof zoneServerOptions>[0] = {
    zone: 'checkout',
    release: 'checkout@bench',
    environment: 'bench',
    dsns: resolveTopology().dsns,
    tracesSampleRate: 1,
  };
  Sentry.init(zoneServerOptions(settings, nothingSent));
  const shop = await shopModule();
  const shopOrigin = resolveTopology().zones.shop.origin;
  const start = Sentry.startInactiveSpan;

  const starts: Record<RulePath, () => Span> = {
    'root span (the request: no rule)': () => Sentry.withActiveSpan(null, () => start({ name: 'GET /', op: 'http.server' })),
    'explicit owner attribute': () => start({ name: 'mf.render shop/Header', op: 'ui.render', attributes: ownedSpanAttributes('shop', 'shop@bench') }),
    'remote-owned parent': () => start({ name: 'GET', op: 'http.client' }),
    "URL on a remote's origin": () => start({ name: 'GET', op: 'http.client', attributes: { 'url.full': `${shopOrigin}/_next/static/chunks/1.js` } }),
    "Next's own span (next.span_type)": () => start({ name: 'render /', op: 'function', attributes: { 'next.span_type': 'Render.renderDocument' } }),
    "stack rule: the zone's code (64 frames, no remote)": () => start({ name: 'work', op: 'function' }),
    "stack rule: shop's code on the stack": () => shop.startSpan(start),
  };

  const depth = 64;
  // Under 1,000 a round: the integration remembers 1,000 remote spans, and a child of shop's
  // span is one, so more would push the round's own parent out.
  const spansPerRound = 500;
  const rounds = quick ? 3 : 15;
  const timings = new Map<string, number[]>();
  const round = (path: RulePath): number => {
    const spans: Span[] = [];
    const begin = process.hrtime.bigint();
    atDepth(depth, () => {
      for (let i = 0; i < spansPerRound; i++) spans.push(starts[path]());
    });
    const ns = Number(process.hrtime.bigint() - begin) / spansPerRound;
    for (const span of spans) span.end();
    return ns;
  };
  Sentry.startSpan({ name: 'GET /bench', op: 'http.server', forceTransaction: true }, () => {
    // Rounds alternate between the paths and modes, so a slower moment of the machine hits all alike.
    for (let r = 0; r <= rounds; r++) {
      for (const mode of SOURCE_MAP_MODES) {
        process.setSourceMapsEnabled(mode === 'on');
        for (const path of RULE_PATHS) {
          // A parent of shop's started now: the integration remembers the last 1,000 remote spans.
          const shopLoad = start({ name: 'mf.load shop/Header', op: 'mf.load', attributes: ownedSpanAttributes('shop', 'shop@bench') });
          const ns = path === 'remote-owned parent' ? Sentry.withActiveSpan(shopLoad, () => round(path)) : round(path);
          shopLoad.end();
          // Round 0 warms the code up.
          if (r > 0) timings.set(`${mode} ${path}`, [...(timings.get(`${mode} ${path}`) ?? []), ns]);
        }
      }
    }
  });
  await Sentry.close(2_000);
  const byPath = (mode: SourceMapMode) =>
    Object.fromEntries(RULE_PATHS.map((path) => [path, median(timings.get(`${mode} ${path}`) ?? [])])) as Record<RulePath, number>;
  return { nsPerSpan: { off: byPath('off'), on: byPath('on') }, spansPerRound, rounds, depth };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  child(process.argv.includes('--quick')).then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * The benchmark's section: the rule's cost per span on the server (both source-map modes) and in
 * the browser, and what the stack rule costs one page view, from the counted page views.
 */
export function spanRuleSection(node: SpanRuleFigures, browser: Record<BrowserRulePath, number>, pageViews: readonly (PageViewRules & { zone: string })[]): string {
  const stack = "stack rule: the zone's code (64 frames, no remote)";
  const url = "URL on a remote's origin";
  const extra = {
    off: node.nsPerSpan.off[stack] - node.nsPerSpan.off[url],
    on: node.nsPerSpan.on[stack] - node.nsPerSpan.on[url],
    browser: browser[stack] - browser[url],
  };
  const browserRows = BROWSER_RULE_PATHS.map((path) => [path, micro(browser[path])]);
  const views = pageViews.map((view) => [
    `${view.zone} \`/\``,
    `${view.server.stackRule} of ${view.server.spans}`,
    `${view.browser.stackRule} of ${view.browser.spans}`,
    `${((view.server.stackRule * extra.on) / 1e6).toFixed(2)} ms`,
    `${((view.browser.stackRule * extra.browser) / 1e6).toFixed(1)} ms`,
  ]);
  return (
    `Time to start one span through each rule path, every \`spanStart\` listener included, ${node.depth} frames deep, ` +
    `medians of ${node.rounds} rounds of ${node.spansPerRound} spans. Server: the zone server's own Sentry options in a process of its own, ` +
    "with Node's source maps off (plain `next start`) and on (`next-zone` turns them on through tsx, so the zones run so today).\n\n" +
    table([...SPAN_RULE_HEADER], spanRuleRows(node)) +
    "\n\nBrowser: checkout's real page, its Sentry client given span starts through its `spanStart` hook.\n\n" +
    table(['rule path', 'per span (Chromium)'], browserRows) +
    `\n\nSpans of one page view that took the stack rule (its trace as the inbox stored it, each span's rule replayed), ` +
    `and what they cost at the stack rule's extra over a URL's (server ${micro(extra.on)} with source maps on, browser ${micro(extra.browser)}):\n\n` +
    table(['page view', 'server spans by stack', 'browser spans by stack', 'server cost', 'browser cost'], views)
  );
}
