/**
 * Canaries (docs/releases.md): `npm run canary -- shop 1.2.0 --percent 25` sends a quarter of the
 * visitors to shop@1.2.0 and the rest stay on the live shop@1.0.0. A visitor's bucket is a cookie,
 * so its release is the same on every server render, in hydration and on client-side navigations;
 * every page view gives shop a session of the release it ran, in shop's project.
 *
 * This spec's own shops, hosts and registry (fixtures/zone-servers.ts); its hosts report in an
 * environment of their own, so the sessions counted here are this spec's.
 */
import type { Browser } from '@playwright/test';
import { tag, waitForEvent, newRun } from '@repo/testkit/inbox';
import { freePort } from '@repo/testkit/ports';
import { INBOX_PROJECTS, topology, type Owner } from '@repo/topology';
import { documentMark, expect, markDocument, test, waitForHydration } from '../fixtures';
import { freshRegistry } from '../fixtures/registry';
import { HEALTHY, firstVisit, npmRun, sessionCounts, visitAs, visitorWhere } from '../fixtures/releases';
import { startHosts, startZoneServer, type ZoneServer } from '../fixtures/zone-servers';

test.describe.configure({ mode: 'serial' });

const PERCENT = 25;
const LIVE = 'shop@1.0.0';
const CANARY = `shop@${HEALTHY}`;
const ENVIRONMENT = `e2e-canary-${Date.now().toString(36)}`;
const INBOX = topology.inbox.origin;

let registry: string;
const servers: ZoneServer[] = [];
let hosts: ZoneServer[] = [];

/** The spec's host for the i-th visit: home and checkout in turn. */
function hostAt(i: number): ZoneServer {
  const host = hosts[i % hosts.length];
  if (!host) throw new Error('the hosts have not started');
  return host;
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  registry = freshRegistry('canary');
  // 1.0.0 starts first, so it becomes live; 1.2.0 is registered beside it.
  servers.push(await startZoneServer('shop', { port: await freePort(), registry }));
  servers.push(await startZoneServer('shop', { port: await freePort(), registry, release: HEALTHY }));
  hosts = await startHosts(registry, { SENTRY_ENVIRONMENT: ENVIRONMENT });
  servers.push(...hosts);
  const started = await npmRun(registry, 'canary', 'shop', HEALTHY, '--percent', String(PERCENT));
  expect(started.status, started.stderr).toBe(0);
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

/** A browser context whose cookie makes it `visitor`, on every host. */
async function browserOf(browser: Browser, visitor: string) {
  const context = await browser.newContext();
  await context.addCookies(hosts.map((host) => ({ name: 'mf_visitor', value: visitor, url: host.origin })));
  return context;
}

/** A page of `visitor`'s, and the page and console errors it meets. */
async function pageOf(browser: Browser, visitor: string) {
  const context = await browserOf(browser, visitor);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  return { context, page, problems };
}

for (const [side, inside, release] of [
  ['canary', true, CANARY],
  ['live', false, LIVE],
] as const) {
  test(`a ${side} visitor gets ${release} on 20 server renders, in the hydrated page and after a client-side navigation`, async ({ browser }) => {
    const visitor = visitorWhere(PERCENT, inside);
    for (let i = 0; i < 20; i++) {
      const host = hostAt(i);
      expect(await visitAs(`${host.origin}/`, visitor), `load ${i + 1} of ${host.zone}`).toEqual({ release, rollout: side });
    }

    const { context, page, problems } = await pageOf(browser, visitor);
    const host = hostAt(1);
    await page.goto(`${host.origin}/`);
    await waitForHydration(page);
    const slot = page.getByTestId('shop-header-slot');
    await expect(slot).toHaveAttribute('data-release', release);
    await expect(slot).toHaveAttribute('data-rollout', side);
    // The code that ran says so too: shop's Header names the release it was built as.
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', release);

    const mark = await markDocument(page);
    await page.getByTestId('shop-header').getByRole('link', { name: 'Products' }).click();
    await expect(page.getByTestId('product-list')).toBeVisible();
    expect(await documentMark(page), 'a client-side navigation, not a page load').toBe(mark);
    await expect(slot).toHaveAttribute('data-release', release);
    await expect(page.getByTestId('shop-header')).toHaveAttribute('data-release', release);
    expect(problems).toEqual([]);
    await context.close();
  });
}

test('a page keeps the release it was served with when the pointer or the bucket changes under it, and the next load follows', async ({ browser }) => {
  const visitor = visitorWhere(PERCENT, false);
  const { context, page, problems } = await pageOf(browser, visitor);
  const host = hostAt(0);
  const slot = page.getByTestId('shop-header-slot');
  try {
    await page.goto(`${host.origin}/`);
    await waitForHydration(page);
    await expect(slot).toHaveAttribute('data-release', LIVE);

    // The pointer moves: every visitor is on the canary now.
    const all = await npmRun(registry, 'canary', 'shop', HEALTHY, '--percent', '100');
    expect(all.status, all.stderr).toBe(0);
    const mark = await markDocument(page);
    await page.getByTestId('shop-header').getByRole('link', { name: 'Products' }).click();
    await expect(page.getByTestId('product-list')).toBeVisible();
    expect(await documentMark(page)).toBe(mark);
    await expect(slot, 'the open page keeps its release').toHaveAttribute('data-release', LIVE);
    await page.goto(`${host.origin}/`);
    await waitForHydration(page);
    await expect(slot, 'a new page load follows the pointer').toHaveAttribute('data-release', CANARY);

    // Back to a quarter, and the visitor's bucket changes under the open page.
    const quarter = await npmRun(registry, 'canary', 'shop', HEALTHY, '--percent', String(PERCENT));
    expect(quarter.status, quarter.stderr).toBe(0);
    await context.addCookies([{ name: 'mf_visitor', value: visitorWhere(PERCENT, false), url: host.origin }]);
    await page.getByTestId('shop-header').getByRole('link', { name: 'Products' }).click();
    await expect(page.getByTestId('product-list')).toBeVisible();
    await expect(slot).toHaveAttribute('data-release', CANARY);
    await page.goto(`${host.origin}/`);
    await waitForHydration(page);
    await expect(slot).toHaveAttribute('data-release', LIVE);
    expect(problems, 'no hydration mismatch, no error').toEqual([]);
  } finally {
    await context.close();
    await npmRun(registry, 'canary', 'shop', HEALTHY, '--percent', String(PERCENT));
  }
});

test(`${PERCENT} % of 200 new visitors get the canary, within a binomial bound, each by its own cookie's bucket`, async () => {
  const n = 200;
  let onCanary = 0;
  const { bucketOf } = await import('@repo/releases');
  for (let i = 0; i < n; i++) {
    const host = hostAt(i);
    const visit = await firstVisit(`${host.origin}/`);
    const inside = bucketOf(visit.visitor) < PERCENT;
    expect(visit, `visitor ${visit.visitor}`).toEqual({ visitor: visit.visitor, release: inside ? CANARY : LIVE, rollout: inside ? 'canary' : 'live' });
    if (inside) onCanary += 1;
  }
  // Binomial(200, 0.25): mean 50, standard deviation 6.1; 4 deviations either side fail a correct
  // split about once in 16,000 runs.
  const mean = n * (PERCENT / 100);
  const sd = Math.sqrt(n * (PERCENT / 100) * (1 - PERCENT / 100));
  expect(Math.abs(onCanary - mean), `${onCanary} of ${n} on the canary`).toBeLessThanOrEqual(4 * sd);
});

test("each page view gives shop a session of the release that ran, in shop's project: ok, errored when shop's code failed, crashed when unhandled", async ({ browser }) => {
  const since = new Date();
  const canaryVisitor = visitorWhere(PERCENT, true);
  const liveVisitor = visitorWhere(PERCENT, false);
  for (let i = 0; i < 5; i++) {
    for (const visitor of [canaryVisitor, liveVisitor]) await visitAs(`${hostAt(i).origin}/`, visitor);
  }
  // Shop's component throws while the server renders the page: that page view errored.
  const run = newRun('canary-session-ssr');
  const wait = await waitForEvent(INBOX, 'shop', (event) => tag(event, 'run') === run, { query: `run:${run}`, timeoutMs: 30_000 });
  await visitAs(`${hostAt(0).origin}/lab/ssr?run=${run}`, canaryVisitor);
  const event = await wait.event;
  expect(event.release?.version).toBe(CANARY);
  expect(tag(event, 'rollout')).toBe('canary');
  expect(event._inbox.projectId).toBe(INBOX_PROJECTS.shop.id);

  // In the browser: shop's component throws after a click (errored), shop's promise rejects
  // with nobody to catch it (unhandled: crashed).
  const context = await browserOf(browser, liveVisitor);
  for (const scenario of ['render', 'async'] as const) {
    const page = await context.newPage();
    await page.goto(`${hostAt(1).origin}/lab/${scenario}`);
    await waitForHydration(page);
    await page.getByTestId('trigger').click();
    await page.close();
  }
  await context.close();

  const expected = {
    [CANARY]: { healthy: 5, errored: 1 },
    // 5 plain pages, the render scenario (errored) and the async one (crashed); the lab pages
    // themselves are page views of the live release.
    [LIVE]: { healthy: 5, errored: 1, crashed: 1 },
  };
  await expect
    .poll(() => sessionCounts(INBOX, 'shop', { environment: ENVIRONMENT, since }), { timeout: 30_000, message: "shop's sessions" })
    .toEqual(expected);

  // The hosts' own sessions stay with the hosts: none of shop's release is in their projects.
  for (const owner of ['home', 'checkout'] satisfies Owner[]) {
    const theirs = await sessionCounts(INBOX, owner, { environment: ENVIRONMENT, since });
    expect(Object.keys(theirs).filter((release) => !release.startsWith(`${owner}@`)), `${owner}'s project`).toEqual([]);
  }
});

test('refused with a reason, and nothing changes: an unknown release, a percent outside 0–100, the live release', async () => {
  const before = await firstVisit(`${hostAt(0).origin}/`);
  const unknown = await npmRun(registry, 'canary', 'shop', '9.9.9', '--percent', '10');
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain('shop@9.9.9 is not a registered release of shop');
  for (const percent of ['101', '-1', '12.5', 'half']) {
    const bad = await npmRun(registry, 'canary', 'shop', HEALTHY, '--percent', percent);
    expect(bad.status, `--percent ${percent}`).toBe(2);
    expect(bad.stderr).toMatch(/percent/);
  }
  const live = await npmRun(registry, 'canary', 'shop', '1.0.0', '--percent', '10');
  expect(live.status).not.toBe(0);
  expect(live.stderr).toMatch(/live/);
  const listed = await npmRun(registry, 'releases');
  expect(listed.stdout).toMatch(new RegExp(`shop@${HEALTHY.replaceAll('.', '\\.')}.*canary.*${PERCENT} ?%`));
  const after = await visitAs(`${hostAt(0).origin}/`, before.visitor);
  expect(after).toEqual({ release: before.release, rollout: before.rollout });
});
