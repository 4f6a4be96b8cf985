/**
 * `npm run screenshots -w e2e`: retakes the README's pictures from the real app. Needs the stack
 * running on the topology's ports (`npm run start` after a build, or `npm run dev`), and acts on
 * it as a workshop attendee would: opens a lab page, waits for what the inbox got, and takes the
 * inbox's pages as they are.
 *
 *   docs/workshop-owners.png  checkout's page with the owners view on: shop's parts outlined
 *   docs/workshop-told.png    checkout's /lab/ssr: the panel after shop's component failed
 *   docs/workshop-tour.png    the lab's guided tour
 *   docs/inbox-teams.png      the inbox's front page: one column per team
 *   docs/inbox-trace.png      the trace of checkout's /lab/ssr page view, spans coloured by owner
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { browserLaunchOptions } from '@repo/testkit/browser';
import { newRun, waitForEvents } from '@repo/testkit/inbox';
import { topology } from '@repo/topology';
import { waitForTrace } from '../fixtures/traces';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const inbox = topology.inbox.origin;

const VIEWPORT = { width: 1280, height: 800 };

async function hydrated(page: Page): Promise<void> {
  await page.getByTestId('zone-shell').and(page.locator('[data-hydrated="true"]')).waitFor();
}

/** The workshop's pages as an attendee sees them, each failure acted for real. */
async function workshopShots(browser: Browser): Promise<void> {
  const checkout = topology.zones.checkout;
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`${checkout.origin}/lab/event`);
  await hydrated(page);
  if ((await page.getByTestId('owners-toggle').getAttribute('aria-pressed')) !== 'true') await page.getByTestId('owners-toggle').click();
  await page.screenshot({ path: join(DOCS, 'workshop-owners.png') });

  const run = newRun('screenshot-told');
  const wait = await waitForEvents(inbox, 'shop', () => true, { count: 2, query: `run:${run}`, timeoutMs: 30_000 });
  await page.goto(`${checkout.origin}/lab/ssr?run=${run}`);
  await hydrated(page);
  await wait.events;
  await page.getByTestId('who-got-it').getByTestId('told').nth(1).waitFor();
  await page.screenshot({ path: join(DOCS, 'workshop-told.png') });

  await page.goto(`${checkout.origin}/lab`);
  await hydrated(page);
  await page.getByTestId('tour').waitFor();
  await page.screenshot({ path: join(DOCS, 'workshop-tour.png') });

  await page.goto(`${inbox}/`);
  await page.locator('section#shop').waitFor();
  await page.screenshot({ path: join(DOCS, 'inbox-teams.png') });
  await page.close();
  console.log(`${DOCS}: workshop-owners.png, workshop-told.png, workshop-tour.png, inbox-teams.png`);
}

async function traceShot(browser: Browser): Promise<void> {
  const checkout = topology.zones.checkout;
  const run = newRun('screenshot-trace');
  // The server's render of BrokenComponent fails, then the browser's retry: two events for shop.
  const wait = await waitForEvents(inbox, 'shop', () => true, { count: 2, query: `run:${run}`, timeoutMs: 30_000 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${checkout.origin}/lab/ssr?run=${run}`);
  const [event] = await wait.events;
  const traceId = (event?.contexts?.trace as { trace_id?: string } | undefined)?.trace_id;
  if (!traceId) throw new Error("shop's event carries no trace id");
  // Complete: both renders of shop's modules (server, browser) and the browser's page load are in.
  await waitForTrace(
    traceId,
    (trace) =>
      trace.spans.filter((span) => span.name.startsWith('mf.render ')).length >= 4 &&
      trace.spans.some((span) => span.op === 'pageload'),
  );
  await page.goto(`${inbox}/traces/${traceId}`);
  const file = join(DOCS, 'inbox-trace.png');
  await page.screenshot({ path: file, fullPage: true });
  await page.close();
  console.log(`${file}: trace ${traceId}`);
}

const browser = await chromium.launch(browserLaunchOptions());
try {
  await workshopShots(browser);
  await traceShot(browser);
} finally {
  await browser.close();
}
