/**
 * Versioned releases and one pointer (issue 5): shop 1.0.0 and a broken 1.1.0 are served at
 * once; moving the pointer to 1.1.0 fills shop's project with errors of that release, and
 * `npm run rollback -- shop 1.0.0` puts every host back on 1.0.0 on its next request, on the
 * server and in the browser, without a restart.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext } from '@playwright/test';
import { moveLive } from '@repo/releases/registry';
import { expect, test, waitForHydration } from '../fixtures';
import { eventsOf, expectDeliveredTo, expectNoOtherProjectGot, newRun, tag, waitForEvents } from '../fixtures/inbox';
import { freshRegistry, shiftedHosts, shiftedPorts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PORTS = shiftedPorts(40);
const BROKEN_PORT = PORTS.shop + 10;
/** The workshop's broken release (apps/shop `build:broken-release`). */
const BROKEN = '1.1.0';
const HOSTS = shiftedHosts(PORTS);

test.describe.configure({ mode: 'serial' });

let registry: string;
const servers: ZoneServer[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = freshRegistry('rollback');
  // 1.0.0 starts first, so it becomes live; 1.1.0 is registered beside it, not live.
  servers.push(await startZoneServer('shop', { port: PORTS.shop, registry }));
  servers.push(await startZoneServer('shop', { port: BROKEN_PORT, registry, release: BROKEN }));
  for (const host of HOSTS) servers.push(await startZoneServer(host.name, { port: PORTS[host.name], registry }));
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

async function html(request: APIRequestContext, url: string): Promise<string> {
  const response = await request.get(url);
  expect(response.status(), url).toBe(200);
  return response.text();
}

test('a broken release fills shop’s project with its errors; a rollback stops them at once', async ({ request, page }) => {
  // Deploy: point at the broken release (what `npm run deploy` does once it is serving).
  moveLive(registry, 'shop', BROKEN, 'deploy');
  const broken = newRun('release-broken');
  for (const host of HOSTS) {
    const page1 = await html(request, `${host.origin}/?run=${broken}`);
    expect(page1).toContain(`data-shop-release="shop@${BROKEN}"`);
    // 1.1.0's Header throws while rendering: its slot shows the fallback, the page is whole.
    expect(page1).toContain('data-testid="header-fallback"');
    expect(page1).not.toContain('data-testid="shop-header"');
    expect(page1).toContain(`data-zone="${host.name}"`);
    await page.goto(`${host.origin}/?run=${broken}`);
    await waitForHydration(page);
    await expect(page.getByTestId('header-fallback')).toBeVisible();
  }
  const errors = await waitForEvents('shop', broken, HOSTS.length * 2);
  for (const event of errors) {
    expectDeliveredTo(event, 'shop');
    expect(event.release?.version, 'the release that actually ran').toBe(`shop@${BROKEN}`);
    expect(event.message).toContain('cart.summary');
  }
  expect(new Set(errors.map((e) => tag(e, 'zone')))).toEqual(new Set(HOSTS.map((h) => h.name)));
  await expectNoOtherProjectGot('shop', broken);

  // Roll back with the command people use.
  const rollback = spawnSync('npm', ['run', '--silent', 'rollback', '--', 'shop', '1.0.0'], {
    cwd: REPO,
    env: { ...process.env, FEDERATION_REGISTRY: registry },
    encoding: 'utf8',
  });
  expect(rollback.status, rollback.stderr).toBe(0);
  expect(rollback.stdout).toContain(`live shop@${BROKEN} → shop@1.0.0`);

  // The very next request, on the server and in a fresh browser page, is 1.0.0 again.
  const after = newRun('release-rolled-back');
  for (const host of HOSTS) {
    const page2 = await html(request, `${host.origin}/?run=${after}`);
    expect(page2).toMatch(/<header[^>]*data-owner="shop"[^>]*data-release="shop@1\.0\.0"/);
    expect(page2).toContain('data-shop-release="shop@1.0.0"');
    await page.goto(`${host.origin}/?run=${after}`);
    await waitForHydration(page);
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');
  }
  // A known error after the rollback, as a barrier: it arrives with 1.0.0, and nothing of 1.1.0
  // arrived before it.
  for (const host of HOSTS) await request.get(`${host.origin}/lab/ssr?run=${after}`);
  await waitForEvents('shop', after, HOSTS.length);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const afterEvents = await eventsOf('shop', after);
  expect(afterEvents.map((e) => e.release?.version)).toEqual(HOSTS.map(() => 'shop@1.0.0'));
  expect(afterEvents.some((e) => e.message.includes('cart.summary')), 'no error of the broken release').toBe(false);
});

test('a rollback to a release that is not registered is refused with the releases it knows', () => {
  const refused = spawnSync('npm', ['run', '--silent', 'rollback', '--', 'shop', '0.9.0'], {
    cwd: REPO,
    env: { ...process.env, FEDERATION_REGISTRY: registry },
    encoding: 'utf8',
  });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`shop@0.9.0 is not a registered release of shop (registered: 1.0.0, ${BROKEN})`);
});
