/**
 * One team's outage never takes down another's page (issue 5, CONTRACT.md "remote-down"):
 * shop stopped, shop hung, shop back, against this spec's own shop and hosts (fixtures/zone-servers).
 */
import type { APIRequestContext, Page } from '@playwright/test';
import type { ZoneName } from '@repo/topology';
import { expect, test, waitForHydration, type BrowserProblems } from '../fixtures';
import { eventsOf, expectDeliveredTo, expectNoOtherProjectGot, newRun, tag, waitForEvents } from '../fixtures/inbox';
import { freshRegistry, shiftedHosts, shiftedPorts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

const PORTS = shiftedPorts(30);
const HOSTS = shiftedHosts(PORTS);
const SHOP_ORIGIN = `http://localhost:${PORTS.shop}`;
/** What the contract promises a page during an outage. */
const ANSWER_WITHIN_MS = 1_000;

test.describe.configure({ mode: 'serial' });

let registry: string;
let shop: ZoneServer;
const hosts: ZoneServer[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = freshRegistry('outage');
  shop = await startZoneServer('shop', { port: PORTS.shop, registry });
  for (const host of HOSTS) hosts.push(await startZoneServer(host.name, { port: PORTS[host.name], registry }));
});

test.afterAll(async () => {
  await Promise.all([shop, ...hosts].filter(Boolean).map((server) => server.stop()));
});

interface Served {
  status: number;
  ms: number;
  html: string;
}

async function serve(request: APIRequestContext, url: string): Promise<Served> {
  const started = performance.now();
  const response = await request.get(url, { timeout: 30_000 });
  const html = await response.text();
  return { status: response.status(), ms: performance.now() - started, html };
}

/** Several pages per host during the outage: each fast, each with the fallback Header. */
async function expectFallbackPages(request: APIRequestContext, run: string): Promise<void> {
  for (const host of HOSTS) {
    for (let i = 0; i < 3; i += 1) {
      const page = await serve(request, `${host.origin}/?run=${run}`);
      expect(page.status, `${host.name} answers`).toBe(200);
      expect(page.ms, `${host.name} answers within ${ANSWER_WITHIN_MS} ms`).toBeLessThan(ANSWER_WITHIN_MS);
      expect(page.html).toContain('data-testid="header-fallback"');
      expect(page.html).not.toContain('data-testid="shop-header"');
      // The zone's own page is all there.
      expect(page.html).toContain(`data-zone="${host.name}"`);
    }
  }
}

/** The browser shows each host's page with the fallback, hydrated, without a hydration error. */
async function expectFallbackInBrowser(page: Page, problems: BrowserProblems, run: string): Promise<void> {
  for (const host of HOSTS) {
    await page.goto(`${host.origin}/?run=${run}`);
    await waitForHydration(page);
    await expect(page.getByTestId('header-fallback')).toBeVisible();
    await expect(page.getByTestId('shop-header')).toHaveCount(0);
  }
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors.filter((e) => /hydrat/i.test(e))).toEqual([]);
}

/** Exactly one remote-down event per host zone in shop's project for the run, and nothing elsewhere. */
async function expectOneOutageEventPerZone(run: string): Promise<void> {
  const events = await waitForEvents('shop', run, HOSTS.length);
  // Give a duplicate the time to arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const all = await eventsOf('shop', run);
  expect(all.map((e) => tag(e, 'zone')).sort(), 'one event per zone, not one per request').toEqual(HOSTS.map((h) => h.name).sort());
  for (const event of events) {
    expectDeliveredTo(event, 'shop');
    expect(event.title).toContain('RemoteUnavailableError');
    expect(event.message).toContain(`shop@1.0.0 could not be loaded from ${SHOP_ORIGIN}`);
    expect(event.release?.version).toBe('shop@1.0.0');
    expect(tag(event, 'owner')).toBe('shop');
    expect(tag(event, 'failure')).toBe('remote-down');
  }
  await expectNoOtherProjectGot('shop', run);
}

async function expectShopHeader(request: APIRequestContext, host: { name: ZoneName; origin: string }): Promise<boolean> {
  const page = await serve(request, `${host.origin}/`);
  return page.status === 200 && page.html.includes('data-testid="shop-header"') && page.html.includes('data-release="shop@1.0.0"');
}

test('with shop up, the hosts serve the release the registry points at', async ({ request }) => {
  for (const host of HOSTS) {
    const page = await serve(request, `${host.origin}/`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<header[^>]*data-owner="shop"[^>]*data-release="shop@1\.0\.0"/);
    expect(page.html).toContain('data-shop-release="shop@1.0.0"');
  }
});

test('shop stopped: 200 within a second, fallback Header, one event to shop per zone', async ({ request, page, problems }) => {
  await shop.stop();
  const run = newRun('outage-stopped');
  await expectFallbackPages(request, run);
  await expectFallbackInBrowser(page, problems, run);
  await expectOneOutageEventPerZone(run);
});

test('shop back: the hosts serve its Header again within seconds, without a restart', async ({ request, page, problems }) => {
  shop = await startZoneServer('shop', { port: PORTS.shop, registry });
  for (const host of HOSTS) {
    await expect.poll(() => expectShopHeader(request, host), { timeout: 5_000, intervals: [100] }).toBe(true);
    await page.goto(`${host.origin}/`);
    await waitForHydration(page);
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');
  }
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors).toEqual([]);
});

test('shop hung (accepts connections, never answers): the same, and back when it thaws', async ({ request, page, problems }) => {
  shop.freeze();
  try {
    const run = newRun('outage-hung');
    await expectFallbackPages(request, run);
    await expectFallbackInBrowser(page, problems, run);
    await expectOneOutageEventPerZone(run);
  } finally {
    shop.thaw();
  }
  for (const host of HOSTS) {
    await expect.poll(() => expectShopHeader(request, host), { timeout: 5_000, intervals: [100] }).toBe(true);
  }
});

