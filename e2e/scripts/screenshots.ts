/**
 * `npm run screenshots -w e2e`: retakes the README's pictures from the real app. Needs the stack
 * running on the topology's ports (`npm run start` after a build, or `npm run dev`), and acts on
 * it as a workshop attendee would: opens a lab page, waits for what the inbox got, and takes the
 * inbox's pages as they are.
 *
 *   docs/inbox-trace.png   the trace of checkout's /lab/ssr page view, spans coloured by owner
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { browserLaunchOptions } from '@repo/testkit/browser';
import { newRun, waitForEvents } from '@repo/testkit/inbox';
import { topology } from '@repo/topology';
import { traceOf, type Trace } from '../fixtures/traces';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const inbox = topology.inbox.origin;

async function traceWhen(traceId: string, ready: (trace: Trace) => boolean, timeoutMs = 30_000): Promise<Trace> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const trace = await traceOf(traceId, inbox);
    if (ready(trace)) return trace;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} is not complete after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function traceShot(): Promise<void> {
  const checkout = topology.zones.checkout;
  const run = newRun('screenshot-trace');
  // The server's render of BrokenComponent fails, then the browser's retry: two events for shop.
  const wait = await waitForEvents(inbox, 'shop', () => true, { count: 2, query: `run:${run}`, timeoutMs: 30_000 });
  const browser = await chromium.launch(browserLaunchOptions());
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${checkout.origin}/lab/ssr?run=${run}`);
    const [event] = await wait.events;
    const traceId = (event?.contexts?.trace as { trace_id?: string } | undefined)?.trace_id;
    if (!traceId) throw new Error("shop's event carries no trace id");
    // Complete: both renders of shop's modules (server, browser) and the browser's page load are in.
    await traceWhen(
      traceId,
      (trace) =>
        trace.spans.filter((span) => span.name.startsWith('mf.render ')).length >= 4 &&
        trace.spans.some((span) => span.op === 'pageload'),
    );
    await page.goto(`${inbox}/traces/${traceId}`);
    const file = join(DOCS, 'inbox-trace.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${file}: trace ${traceId}`);
  } finally {
    await browser.close();
  }
}

await traceShot();
