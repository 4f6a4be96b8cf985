/**
 * One team's outage never takes down another's page (docs/contract.md, "Outages, releases and the
 * pointer"): shop stopped, shop hung, shop back, against this spec's own shop, hosts and registry
 * (fixtures/zone-servers.ts). How fast pages answer during an outage, and how soon shop's Header
 * is back, are the benchmark's to measure (docs/benchmarks.md), not assertions here.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { newRun, tag, type RunEvents } from '@repo/testkit/inbox';
import { freePort } from '@repo/testkit/ports';
import { expect, test, waitForHydration, type BrowserProblems } from '../fixtures';
import { expectDeliveredTo, onlyFor } from '../fixtures/inbox';
import { freshRegistry } from '../fixtures/registry';
import { localOrigin, startHosts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

test.describe.configure({ mode: 'serial' });

let registry: string;
let shopPort: number;
let shop: ZoneServer | undefined;
let hosts: ZoneServer[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = freshRegistry('outage');
  shopPort = await freePort();
  shop = await startZoneServer('shop', { port: shopPort, registry });
  hosts = await startHosts(registry);
});

test.afterAll(async () => {
  await Promise.all([shop, ...hosts].map((server) => server?.stop()));
});

function runningShop(): ZoneServer {
  if (!shop) throw new Error('shop is not running');
  return shop;
}

async function html(request: APIRequestContext, url: string): Promise<{ status: number; html: string }> {
  const response = await request.get(url, { timeout: 30_000 });
  return { status: response.status(), html: await response.text() };
}

/**
 * Several pages per host during the outage: each whole, each with the fallback Header. A stopped
 * shop refuses at once; a hung one is known only when its liveness check fails (2 s), and until
 * then a host renders the code it has, so the first fallback is waited for, then every page has it.
 */
async function expectFallbackPages(request: APIRequestContext, run: string): Promise<void> {
  for (const host of hosts) {
    await expect
      .poll(async () => (await html(request, `${host.origin}/?run=${run}`)).html.includes('data-testid="header-fallback"'), {
        message: `${host.zone} notices the outage`,
        timeout: 15_000,
      })
      .toBe(true);
    for (let i = 0; i < 3; i += 1) {
      const page = await html(request, `${host.origin}/?run=${run}`);
      expect(page.status, `${host.zone} answers`).toBe(200);
      expect(page.html).toContain('data-testid="header-fallback"');
      expect(page.html).not.toContain('data-testid="shop-header"');
      // The zone's own page is all there.
      expect(page.html).toContain(`data-zone="${host.zone}"`);
    }
  }
}

/** The browser shows each host's page with the fallback, hydrated, without a hydration error. */
async function expectFallbackInBrowser(page: Page, problems: BrowserProblems, run: string): Promise<void> {
  for (const host of hosts) {
    await page.goto(`${host.origin}/?run=${run}`);
    await waitForHydration(page);
    await expect(page.getByTestId('header-fallback')).toBeVisible();
    await expect(page.getByTestId('shop-header')).toHaveCount(0);
  }
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors.filter((e) => /hydrat/i.test(e))).toEqual([]);
}

/** Exactly one remote-down event per host zone in shop's project, and nothing elsewhere. */
function expectOneOutageEventPerZone(events: RunEvents): void {
  const reports = onlyFor(events, 'shop');
  expect(reports.map((e) => tag(e, 'zone')).sort(), 'one event per zone, not one per request').toEqual(hosts.map((h) => h.zone).sort());
  for (const event of reports) {
    expectDeliveredTo(event, 'shop');
    expect(event.title).toContain('RemoteUnavailableError');
    expect(event.message).toContain(`shop@1.0.0 could not be loaded from ${localOrigin(shopPort)}`);
    expect(event.release?.version).toBe('shop@1.0.0');
    expect(tag(event, 'owner')).toBe('shop');
    expect(tag(event, 'failure')).toBe('remote-down');
  }
}

async function servesShopHeader(request: APIRequestContext, host: ZoneServer): Promise<boolean> {
  const page = await html(request, `${host.origin}/`);
  return page.status === 200 && page.html.includes('data-testid="shop-header"') && page.html.includes('data-release="shop@1.0.0"');
}

/**
 * Each host serves shop's Header, polled: a host's first load of a release may miss a render's
 * deadline (that page has the fallback; a slow load is not an outage), and after an outage the
 * Header comes back with no restart, as soon as an attempt succeeds. How soon is benchmarked.
 */
async function expectServingShop(request: APIRequestContext): Promise<void> {
  for (const host of hosts) {
    await expect.poll(() => servesShopHeader(request, host), { message: `${host.zone} serves shop's Header`, timeout: 20_000 }).toBe(true);
  }
}

test('with shop up, the hosts serve the release the registry points at', async ({ request }) => {
  await expectServingShop(request);
  for (const host of hosts) {
    const page = await html(request, `${host.origin}/`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<header[^>]*data-owner="shop"[^>]*data-release="shop@1\.0\.0"/);
    expect(page.html).toContain('data-shop-release="shop@1.0.0"');
  }
});

test('shop stopped: every host answers with the fallback Header, and shop gets one event per zone', async ({
  request,
  page,
  problems,
  runs,
}) => {
  await runningShop().stop();
  shop = undefined;
  const run = newRun('outage-stopped');
  const watch = await runs.watch(run, { shop: hosts.length });
  await expectFallbackPages(request, run);
  await expectFallbackInBrowser(page, problems, run);
  expectOneOutageEventPerZone(await watch.settled());
});

test('shop back: the hosts serve its Header again, without a restart', async ({ request, page, problems }) => {
  shop = await startZoneServer('shop', { port: shopPort, registry });
  await expectServingShop(request);
  for (const host of hosts) {
    await page.goto(`${host.origin}/`);
    await waitForHydration(page);
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');
  }
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors).toEqual([]);
});

test('shop hung (accepts connections, never answers): the same, and back when it thaws', async ({ request, page, problems, runs }) => {
  const hung = runningShop();
  hung.freeze();
  try {
    const run = newRun('outage-hung');
    const watch = await runs.watch(run, { shop: hosts.length });
    await expectFallbackPages(request, run);
    await expectFallbackInBrowser(page, problems, run);
    expectOneOutageEventPerZone(await watch.settled());
  } finally {
    hung.thaw();
  }
  await expectServingShop(request);
});
