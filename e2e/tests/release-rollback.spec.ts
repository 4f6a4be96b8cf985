/**
 * Versioned releases and one pointer (docs/releases.md): shop 1.0.0 and the broken 1.1.0 are
 * served at once; moving the pointer to 1.1.0 fills shop's project with errors of that release,
 * and `npm run rollback -- shop 1.0.0` puts every host back on 1.0.0 on its next request, on the
 * server and in the browser, without a restart. This spec's own shops, hosts and registry
 * (fixtures/zone-servers.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { APIRequestContext } from '@playwright/test';
import { BROKEN_RELEASE } from '@repo/releases';
import { moveLive } from '@repo/releases/registry';
import { newRun, tag } from '@repo/testkit/inbox';
import { freePort } from '@repo/testkit/ports';
import { expect, test, waitForHydration } from '../fixtures';
import { expectDeliveredTo, onlyFor } from '../fixtures/inbox';
import { freshRegistry } from '../fixtures/registry';
import { startHosts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
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

const execFileAsync = promisify(execFile);

/**
 * Runs `npm run <args>` at the repository's root against this spec's registry, as people run the
 * release commands. Asynchronously, on purpose: a synchronous child process stops this worker's
 * event loop for the second or more npm takes, so the keep-alive connections `request` holds to
 * the hosts can neither expire nor see a host close them meanwhile; the next request then goes
 * out on a connection the host has closed, and fails with ECONNRESET.
 */
async function npmRun(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('npm', ['run', '--silent', ...args], {
      cwd: REPO,
      env: { ...process.env, FEDERATION_REGISTRY: registry },
      encoding: 'utf8',
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { status: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function html(request: APIRequestContext, url: string): Promise<string> {
  const response = await request.get(url);
  expect(response.status(), url).toBe(200);
  return response.text();
}

test('a broken release fills shop’s project with its errors; a rollback stops them at once', async ({ request, page, runs }) => {
  // Deploy: point at the broken release (what `npm run deploy` does once it is serving).
  moveLive(registry, 'shop', BROKEN, 'deploy');
  const broken = newRun('release-broken');
  // Each host reports 1.1.0's Header three times: from the server renders of the request and of
  // the browser's page load, and from the browser's own render.
  const brokenWatch = await runs.watch(broken, { shop: hosts.length * 3 });
  for (const host of hosts) {
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
  const errors = onlyFor(await brokenWatch.settled(), 'shop');
  expect(errors.map((e) => tag(e, 'zone')).sort(), 'three errors per host').toEqual(hosts.flatMap((h) => [h.zone, h.zone, h.zone]).sort());
  for (const event of errors) {
    expectDeliveredTo(event, 'shop');
    expect(event.release?.version, 'the release that actually ran').toBe(`shop@${BROKEN}`);
    expect(event.message).toContain('cart.summary');
  }

  // Roll back with the command people use.
  const rollback = await npmRun('rollback', '--', 'shop', '1.0.0');
  expect(rollback.status, rollback.stderr).toBe(0);
  expect(rollback.stdout).toContain(`live shop@${BROKEN} → shop@1.0.0`);

  // The very next request, on the server and in a fresh browser page, is 1.0.0 again.
  const after = newRun('release-rolled-back');
  const afterWatch = await runs.watch(after, { shop: hosts.length });
  for (const host of hosts) {
    const page2 = await html(request, `${host.origin}/?run=${after}`);
    expect(page2).toMatch(/<header[^>]*data-owner="shop"[^>]*data-release="shop@1\.0\.0"/);
    expect(page2).toContain('data-shop-release="shop@1.0.0"');
    await page.goto(`${host.origin}/?run=${after}`);
    await waitForHydration(page);
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', 'shop@1.0.0');
  }
  // Last, a known error in each host: it must arrive as 1.0.0's, and of this run nothing else
  // (no error of 1.1.0) may reach any project before the barrier that follows it.
  for (const host of hosts) await html(request, `${host.origin}/lab/ssr?run=${after}`);
  const afterEvents = onlyFor(await afterWatch.settled(), 'shop');
  expect(afterEvents.map((e) => tag(e, 'zone')).sort()).toEqual(hosts.map((h) => h.zone).sort());
  for (const event of afterEvents) {
    expect(event.release?.version).toBe('shop@1.0.0');
    expect(event.message).not.toContain('cart.summary');
  }
});

test('a rollback to a release that is not registered is refused with the releases it knows', async () => {
  const refused = await npmRun('rollback', '--', 'shop', '0.9.0');
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`shop@0.9.0 is not a registered release of shop (registered: 1.0.0, ${BROKEN})`);
});
