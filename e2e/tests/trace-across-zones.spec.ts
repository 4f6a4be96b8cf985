import { SCENARIOS, type ScenarioId } from '@repo/host/scenarios';
import { newRun } from '@repo/testkit/inbox';
import type { Owner } from '@repo/topology';
import { HOST_ZONES, SHOP, expect, test, waitForHydration } from '../fixtures';
import { expectDeliveredTo, onlyFor } from '../fixtures/inbox';
import { expectedMessage } from '../fixtures/scenarios';
import { expectNodeDeliveredTo, ownerOfSpan, releaseOfSpan, waitForTrace, type Trace, type TraceSpan } from '../fixtures/traces';

/**
 * One page view is one trace across zones, runtimes and projects, against production builds: the
 * host's server request and the browser's page load continuing it go to the host's project, the
 * spans of shop's code (its render, its loads, fetches of its code) go to shop's, with the same
 * trace id and parents that connect them, and shop's errors of that page view hold that trace id.
 *
 * `ssr`: shop's BrokenComponent throws while the host's server renders, and again when the
 * browser retries it (two events for shop; both render spans end with status error). `render`:
 * it throws in the browser after a click, once its page view's render spans have ended.
 */
const TRACED: Partial<Record<ScenarioId, { events: number }>> = {
  ssr: { events: 2 },
  render: { events: 1 },
};

/** Ops of spans that measure shop's code without naming it: requests for its code, on its origin. */
const REQUEST_OPS = /^(http\.client|resource\.)/;

function traceIdOf(contexts: Record<string, unknown> | undefined): string | undefined {
  const trace = contexts?.trace as { trace_id?: unknown } | undefined;
  return typeof trace?.trace_id === 'string' ? trace.trace_id : undefined;
}

/** The URL a request or resource span fetched (span streaming keeps it in attributes, not in the name). */
function urlOf(span: TraceSpan): string {
  const url = span.additional_attributes['url.full'] ?? span.additional_attributes['http.url'];
  return typeof url === 'string' ? url : span.description;
}

function spansIn(trace: Trace, owner: Owner): TraceSpan[] {
  return trace.spans.filter((span) => span.project_slug === owner);
}

for (const zone of HOST_ZONES) {
  for (const scenario of SCENARIOS.filter((s) => TRACED[s.id])) {
    const expected = TRACED[scenario.id] ?? { events: 0 };
    test(`${scenario.id} in ${zone.name}: one trace, the host's spans in ${zone.name}, shop's spans and error in shop`, async ({ page, runs }) => {
      const run = newRun(`trace-${scenario.id}-${zone.name}`);
      const watch = await runs.watch(run, { shop: expected.events });

      await page.goto(`${zone.origin}/lab/${scenario.id}?run=${run}`);
      await waitForHydration(page);
      if (scenario.side === 'browser') await page.getByTestId('trigger').click();
      await expect(page.getByTestId('error-fallback')).toBeVisible();

      const events = onlyFor(await watch.settled(), 'shop');
      expect(events).toHaveLength(expected.events);
      for (const event of events) {
        expectDeliveredTo(event, 'shop');
        expect(`${event.title} ${event.message}`).toContain(expectedMessage(scenario, zone).split(' (')[0]);
      }
      const traceIds = new Set(events.map((event) => traceIdOf(event.contexts)));
      expect([...traceIds], "shop's errors of one page view hold one trace id").toHaveLength(1);
      const [traceId] = [...traceIds];
      if (!traceId) throw new Error('the error carries no trace id');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);

      // Each of shop's modules renders twice in a page view: on the server, and in the browser's hydration.
      const rendered = (t: Trace, name: string) => spansIn(t, 'shop').filter((span) => span.name === name).length === 2;
      const trace = await waitForTrace(
        traceId,
        (t) =>
          t.errors.length === expected.events &&
          spansIn(t, zone.owner).some((span) => span.op === 'http.server') &&
          spansIn(t, zone.owner).some((span) => span.op === 'pageload') &&
          rendered(t, 'mf.render shop/Header') &&
          rendered(t, 'mf.render shop/BrokenComponent'),
      );

      // Every span reached exactly one project, the one whose code it measures, with its key.
      const ids = trace.spans.map((span) => span.event_id);
      expect(new Set(ids).size, 'each span is delivered once').toBe(ids.length);
      for (const span of trace.spans) {
        expect([zone.owner, 'shop']).toContain(span.project_slug);
        expect(ownerOfSpan(span), `${span.name} is stamped with the project it went to`).toBe(span.project_slug);
        expectNodeDeliveredTo(span, span.project_slug as Owner);
      }
      for (const error of trace.errors) expectNodeDeliveredTo(error, 'shop');
      expect(trace.errors.map((error) => error.event_id).sort()).toEqual(events.map((event) => event.eventID).sort());

      // No span of shop's code in the host's project, and none of the host's in shop's.
      for (const span of spansIn(trace, zone.owner)) {
        expect(span.name, "the host's project holds no span of shop's modules").not.toMatch(/^mf\./);
        if (REQUEST_OPS.test(span.op)) expect(urlOf(span)).not.toContain(SHOP.origin);
      }
      for (const span of spansIn(trace, 'shop')) {
        const ofShopsCode = /^mf\./.test(span.name) || (REQUEST_OPS.test(span.op) && urlOf(span).startsWith(SHOP.origin));
        expect(ofShopsCode, `${span.op} ${span.name} in shop's project measures shop's code`).toBe(true);
      }

      // Releases: shop's spans carry the release whose code ran (its errors' release), the host's its own.
      const shopRelease = events[0]?.release?.version;
      expect(shopRelease).toMatch(/^shop@\d+\.\d+\.\d+/);
      for (const span of spansIn(trace, 'shop')) expect(releaseOfSpan(span)).toBe(shopRelease);
      for (const span of spansIn(trace, zone.owner)) expect(String(releaseOfSpan(span))).toMatch(new RegExp(`^${zone.owner}@`));

      // One tree: the host's server request is the only root span, every other span's parent is in the trace.
      const rootSpans = trace.spans.filter((span) => span.parent_span_id === null);
      expect(rootSpans.map((span) => `${span.project_slug} ${span.op}`)).toEqual([`${zone.owner} http.server`]);
      const byId = new Map(trace.spans.map((span) => [span.event_id, span]));
      for (const span of trace.spans) {
        if (span.parent_span_id !== null) expect(byId.has(span.parent_span_id), `${span.name}'s parent is in the trace`).toBe(true);
      }

      // Shop's render is a segment of shop's project under a span of the host's.
      for (const render of spansIn(trace, 'shop').filter((span) => span.name.startsWith('mf.render '))) {
        expect(render.is_transaction, `${render.name} is a segment (transaction) in shop's project`).toBe(true);
        expect(byId.get(render.parent_span_id ?? '')?.project_slug).toBe(zone.owner);
      }

      // The browser's page load continues the server's request.
      const pageloads = spansIn(trace, zone.owner).filter((span) => span.op === 'pageload');
      expect(pageloads).toHaveLength(1);
      const [pageload] = pageloads;
      const serverRoot = rootSpans[0];
      let ancestor = byId.get(pageload?.parent_span_id ?? '');
      while (ancestor && ancestor !== serverRoot) ancestor = byId.get(ancestor.parent_span_id ?? '');
      expect(ancestor, "the page load's ancestors lead to the server's request").toBe(serverRoot);
    });
  }
}
