/**
 * Shop's entry is cacheable: its URL names the release (`remoteEntry.js?v=1.0.0`), so a returning
 * visitor downloads no JavaScript it already has, and a rollback, which names another release,
 * still reaches the browser on its next page load. This spec's own shops, hosts and registry
 * (fixtures/zone-servers.ts): it moves the pointer.
 *
 * What the browser downloaded is read from the page's resource timing: `transferSize` is 0 for a
 * script the browser took from its cache (shop's static files carry Timing-Allow-Origin, so its
 * cross-origin entries say so too).
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { moveLive, openRegistryStore } from '@repo/releases/store';
import { freePort } from '@repo/testkit/ports';
import { expect, test, waitForHydration } from '../fixtures';
import { freshRegistry } from '../fixtures/registry';
import { HEALTHY } from '../fixtures/releases';
import { startHosts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

test.describe.configure({ mode: 'serial' });

let registry: string;
let shop: ZoneServer;
let healthy: ZoneServer;
let checkout: ZoneServer;
const servers: ZoneServer[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = freshRegistry('entry-cache');
  // 1.0.0 starts first, so it becomes live; 1.2.0 is registered beside it.
  shop = await startZoneServer('shop', { port: await freePort(), registry });
  healthy = await startZoneServer('shop', { port: await freePort(), registry, release: HEALTHY });
  servers.push(shop, healthy);
  const hosts = await startHosts(registry);
  servers.push(...hosts);
  const found = hosts.find((host) => host.zone === 'checkout');
  if (!found) throw new Error('no checkout among the hosts');
  checkout = found;
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

interface Script {
  url: string;
  /** Bytes that came over the network for it: 0 when the browser had it in its cache. */
  transferSize: number;
}

/** Loads the host's page in `page` until it has hydrated; the scripts this load asked for. */
async function load(page: Page, origin: string): Promise<Script[]> {
  await page.goto(`${origin}/`);
  await waitForHydration(page);
  await expect(page.getByTestId('shop-header')).toBeVisible();
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((entry): entry is PerformanceResourceTiming => entry instanceof PerformanceResourceTiming && entry.initiatorType === 'script')
      .map((entry) => ({ url: entry.name, transferSize: entry.transferSize })),
  );
}

/** Waits until the host's server renders shop's Header of `release` (it reads the pointer per request). */
async function untilServed(request: APIRequestContext, release: string): Promise<void> {
  await expect
    .poll(async () => (await (await request.get(`${checkout.origin}/`)).text()).includes(`data-release="${release}"`), {
      message: `checkout serves ${release}`,
      timeout: 30_000,
    })
    .toBe(true);
}

function entryOf(scripts: Script[]): Script | undefined {
  return scripts.find((script) => new URL(script.url).pathname.endsWith('/remoteEntry.js'));
}

test("the browser asks for shop's entry by its release, and the release's URL may be kept", async ({ page, request }) => {
  const entry = entryOf(await load(page, checkout.origin));
  expect(entry?.url).toBe(`${shop.origin}/_next/static/chunks/remoteEntry.js?v=1.0.0`);
  const versioned = await request.get(entry?.url ?? '');
  expect(versioned.headers()['cache-control']).toContain('immutable');
  // Asked for without a release, the entry is checked again on every load.
  const unversioned = await request.get(`${shop.origin}/_next/static/chunks/remoteEntry.js`);
  expect(unversioned.ok()).toBe(true);
  expect(unversioned.headers()['cache-control']).toBe('no-cache');
});

test('a returning visitor downloads no JavaScript it already has', async ({ page }) => {
  const first = await load(page, checkout.origin);
  expect(entryOf(first)?.transferSize, 'the first visit downloads the entry').toBeGreaterThan(0);
  const again = await load(page, checkout.origin);
  expect(entryOf(again), 'the second visit runs shop’s entry too').toBeDefined();
  expect(again.filter((script) => script.transferSize > 0)).toEqual([]);
});

test("a rollback reaches a returning visitor's browser on its next page load", async ({ page, request }) => {
  const store = openRegistryStore(registry);
  expect(entryOf(await load(page, checkout.origin))?.url).toBe(`${shop.origin}/_next/static/chunks/remoteEntry.js?v=1.0.0`);
  await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');

  await moveLive(store, 'shop', HEALTHY, 'deploy');
  await untilServed(request, `shop@${HEALTHY}`);
  const deployed = entryOf(await load(page, checkout.origin));
  expect(deployed?.url).toBe(`${healthy.origin}/_next/static/chunks/remoteEntry.js?v=${HEALTHY}`);
  expect(deployed?.transferSize, 'a release the browser has not seen is downloaded').toBeGreaterThan(0);
  await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', `shop@${HEALTHY}`);

  await moveLive(store, 'shop', '1.0.0', 'rollback');
  await untilServed(request, 'shop@1.0.0');
  const rolledBack = entryOf(await load(page, checkout.origin));
  expect(rolledBack?.url).toBe(`${shop.origin}/_next/static/chunks/remoteEntry.js?v=1.0.0`);
  expect(rolledBack?.transferSize, 'the release it already had comes from its cache').toBe(0);
  await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');
});
