import { SCENARIOS, ownerOf, type ScenarioId } from '@repo/host/scenarios';
import { newRun, type InboxEvent } from '@repo/testkit/inbox';
import { topology } from '@repo/topology';
import { HOST_ZONES, expect, test, waitForHydration } from '../fixtures';
import { onlyFor } from '../fixtures/inbox';

/**
 * The lab's "who got told" panel, in Chromium against production builds: after each scenario,
 * on the page where it happened, the panel lists exactly the events that page view caused, each
 * with the project that received it and the runtime it came from, as the inbox holds them. The
 * run's events are taken up to a barrier first (fixtures/inbox.ts), so "exactly" is proven, not
 * waited for. With the inbox unreachable the panel says so instead of waiting.
 */

/** Where each scenario's events come from when its page is opened in a browser. */
const TOLD: Record<ScenarioId, readonly ('server' | 'browser')[]> = {
  render: ['browser'],
  // The server's render fails, then the browser's retry of the contained part.
  ssr: ['browser', 'server'],
  event: ['browser'],
  async: ['browser'],
  'zone-render': ['browser'],
  'zone-ssr': ['server'],
  'remote-down': ['server'],
};

/** The runtime an event came from, as Sentry's SDKs say it: Node's events are `node`, the browser's `javascript`. */
function runtimeOf(event: InboxEvent & { platform?: string }): string {
  return event.platform === 'node' ? 'server' : 'browser';
}

for (const zone of HOST_ZONES) {
  for (const scenario of SCENARIOS) {
    const owner = ownerOf(scenario, zone);
    const runtimes = TOLD[scenario.id];
    test(`${scenario.id} in ${zone.name}: the panel lists the ${runtimes.length} event(s) of this page view, in ${owner}'s project`, async ({ page, runs }) => {
      const run = newRun(`told-${scenario.id}-${zone.name}`);
      const watch = await runs.watch(run, { [owner]: runtimes.length });
      await page.goto(`${zone.origin}/lab/${scenario.id}?run=${run}`);
      await waitForHydration(page);
      if (scenario.side === 'browser') await page.getByTestId('trigger').click();

      const events = onlyFor(await watch.settled(), owner) as (InboxEvent & { platform?: string })[];
      expect(events.map(runtimeOf).sort()).toEqual([...runtimes]);

      const told = page.getByTestId('who-got-it').getByTestId('told');
      await expect(told).toHaveCount(events.length);
      const shown = await told.evaluateAll((entries) =>
        entries.map((entry) => `${entry.getAttribute('data-project')} ${entry.getAttribute('data-runtime')}`),
      );
      expect(shown.sort()).toEqual(events.map((event) => `${owner} ${runtimeOf(event)}`).sort());
      // Each entry links to its event in the inbox.
      const links = await told.locator('a[href]').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
      for (const event of events) expect(links.some((href) => href.includes(event.eventID))).toBe(true);
    });
  }

  test(`${zone.name}: with the inbox unreachable the panel says so instead of waiting`, async ({ page }) => {
    // The browser cannot reach the inbox at all, as when it is stopped: every request to it is refused.
    await page.route(`${topology.inbox.origin}/**`, (route) => route.abort('connectionrefused'));
    await page.goto(`${zone.origin}/lab/event`);
    await waitForHydration(page);
    await expect(page.getByTestId('who-got-it')).toContainText(/not reachable/i);
    await expect(page.getByTestId('who-got-it').getByTestId('told')).toHaveCount(0);
  });
}
