/**
 * Versioned releases and one pointer (docs/releases.md): shop 1.0.0 and the broken 1.1.0 are
 * served at once; moving the pointer to 1.1.0 fills shop's project with errors of that release,
 * and `npm run rollback -- shop 1.0.0` puts every host back on 1.0.0 on its next request, on the
 * server and in the browser, without a restart. This spec's own shops, hosts and registry
 * (fixtures/zone-servers.ts).
 */
import type { APIRequestContext } from '@playwright/test';
import { BROKEN_RELEASE } from '@repo/releases';
import { moveLive, openRegistryStore } from '@repo/releases/store';
import { newRun, tag, waitForEvent } from '@repo/testkit/inbox';
import { freePort } from '@repo/testkit/ports';
import { topology } from '@repo/topology';
import { expect, test, waitForHydration } from '../fixtures';
import { expectDeliveredTo, onlyFor } from '../fixtures/inbox';
import { freshRegistry } from '../fixtures/registry';
import { npmRun } from '../fixtures/releases';
import { startHosts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

const BROKEN = BROKEN_RELEASE.version;

test.describe.configure({ mode: 'serial' });

let registry: string;
const servers: ZoneServer[] = [];
let hosts: ZoneServer[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = freshRegistry('rollback');
  // 1.0.0 starts first, so it becomes live; 1.1.0 is registered beside it, not live.
  servers.push(await startZoneServer('shop', { port: await freePort(), registry }));
  servers.push(await startZoneServer('shop', { port: await freePort(), registry, release: BROKEN }));
  hosts = await startHosts(registry);
  servers.push(...hosts);
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

async function html(request: APIRequestContext, url: string): Promise<string> {
  const response = await request.get(url);
  expect(response.status(), url).toBe(200);
  return response.text();
}

/** Whether the host's page has shop's Header of `release` (not the fallback). */
async function servesHeaderOf(request: APIRequestContext, host: ZoneServer, release: string): Promise<boolean> {
  const response = await request.get(`${host.origin}/`);
  return response.ok() && new RegExp(`<header[^>]*data-owner="shop"[^>]*data-release="${release}"`).test(await response.text());
}

/**
 * Loads a host's page until its server has run 1.1.0's Header and reported it. A host's first
 * load of a release may miss a render's deadline: that page shows the fallback without having
 * run the release (a slow load is not an outage), and so proves nothing about 1.1.0.
 */
async function untilHostRan(request: APIRequestContext, host: ZoneServer, run: string): Promise<void> {
  const wait = await waitForEvent(topology.inbox.origin, 'shop', (e) => tag(e, 'zone') === host.zone, {
    query: `run:${run}`,
    timeoutMs: 30_000,
  });
  let reported = false;
  void wait.event.then(() => (reported = true));
  await expect
    .poll(
      async () => {
        await request.get(`${host.origin}/?run=${run}`);
        return reported;
      },
      { message: `${host.zone} runs shop@${BROKEN} and reports its error`, timeout: 30_000 },
    )
    .toBe(true);
  wait.close();
}

test('a broken release fills shop’s project with its errors; a rollback stops them at once', async ({ request, page, runs }) => {
  test.slow();
  // Before the deploy, every host serves the live 1.0.0 (and has loaded it, as in production).
  for (const host of hosts) {
    await expect.poll(() => servesHeaderOf(request, host, 'shop@1.0.0'), { message: `${host.zone} serves shop@1.0.0`, timeout: 30_000 }).toBe(true);
  }

  // Deploy: point at the broken release (what `npm run deploy` does once it is serving).
  await moveLive(openRegistryStore(registry), 'shop', BROKEN, 'deploy');
  const broken = newRun('release-broken');
  const brokenWatch = await runs.watch(broken, {});
  for (const host of hosts) {
    await untilHostRan(request, host, broken);
    const page1 = await html(request, `${host.origin}/?run=${broken}`);
    expect(page1).toContain(`data-shop-release="shop@${BROKEN}"`);
    // 1.1.0's Header throws while rendering: its slot shows the fallback, the page is whole.
    expect(page1).toContain('data-testid="header-fallback"');
    expect(page1).not.toContain('data-testid="shop-header"');
    expect(page1).toContain(`data-zone="${host.zone}"`);
    await page.goto(`${host.origin}/?run=${broken}`);
    await waitForHydration(page);
    await expect(page.getByTestId('header-fallback')).toBeVisible();
  }
  // Everything of the run up to the barrier: 1.1.0's errors, from both hosts, in shop's project only.
  const errors = onlyFor(await brokenWatch.settled(), 'shop');
  expect(new Set(errors.map((e) => tag(e, 'zone')))).toEqual(new Set(hosts.map((h) => h.zone)));
  for (const event of errors) {
    expectDeliveredTo(event, 'shop');
    expect(event.release?.version, 'the release that actually ran').toBe(`shop@${BROKEN}`);
    expect(event.message).toContain('cart.summary');
  }

  // Roll back with the command people use.
  const rollback = await npmRun(registry, 'rollback', 'shop', '1.0.0');
  expect(rollback.status, rollback.stderr).toBe(0);
  expect(rollback.stdout).toContain(`live shop@${BROKEN} → shop@1.0.0`);

  // The very next request, on the server and in a fresh browser page, is 1.0.0 again, and of
  // this run no project gets anything (no error of 1.1.0) before the barrier that follows.
  const after = newRun('release-rolled-back');
  const afterWatch = await runs.watch(after, {});
  for (const host of hosts) {
    const page2 = await html(request, `${host.origin}/?run=${after}`);
    expect(page2).toMatch(/<header[^>]*data-owner="shop"[^>]*data-release="shop@1\.0\.0"/);
    expect(page2).toContain('data-shop-release="shop@1.0.0"');
    await page.goto(`${host.origin}/?run=${after}`);
    await waitForHydration(page);
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');
  }
  const afterEvents = await afterWatch.settled();
  expect(Object.values(afterEvents).flat().map((e) => `${e.release?.version}: ${e.title}`)).toEqual([]);
});

test('a rollback to a release that is not registered is refused with the releases it knows', async () => {
  const refused = await npmRun(registry, 'rollback', 'shop', '0.9.0');
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`shop@0.9.0 is not a registered release of shop (registered: 1.0.0, ${BROKEN})`);
});
