import type { APIResponse, Page } from '@playwright/test';
import { SCENARIOS, type Scenario, type ScenarioId } from '@repo/host/scenarios';
import type { Owner, Zone } from '@repo/topology';
import { HOST_ZONES, expect, test, waitForHydration } from '../fixtures';
import {
  breadcrumbsOf,
  expectDeliveredTo,
  expectNoOtherProjectGot,
  newRun,
  onlyEvent,
  requestUrlOf,
  tag,
  waitForEvents,
} from '../fixtures/inbox';

/**
 * The failure lab's whole matrix, against production builds: every scenario of the catalogue in
 * every host zone. Each test waits → acts → asserts: it loads the scenario with its own `run`,
 * makes it fail, checks the page survived as the contract says, then checks that exactly one
 * event reached the owner's project (the request's project id and key), with the owner's
 * release, the owner/zone/run tags, the business breadcrumb and the page URL, and that no other
 * project got anything of that run.
 */

/** What the failure must look like to the person on the page. */
const PAGE_AFTER: Record<ScenarioId, (page: Page) => Promise<void>> = {
  render: async (page) => {
    await expect(page.getByTestId('error-fallback')).toBeVisible();
    await expect(page.getByTestId('broken-component')).toHaveCount(0);
    await expect(page.getByTestId('page-rest')).toBeVisible();
  },
  event: async (page) => {
    await expect(page.getByTestId('broken-component')).toBeVisible();
    await expect(page.getByTestId('error-fallback')).toHaveCount(0);
  },
  async: async (page) => {
    await expect(page.getByTestId('broken-component')).toBeVisible();
    await expect(page.getByTestId('error-fallback')).toHaveCount(0);
  },
  'zone-render': async (page) => {
    await expect(page.getByTestId('error-fallback')).toBeVisible();
    await expect(page.getByTestId('zone-widget')).toHaveCount(0);
    await expect(page.getByTestId('shop-header')).toBeVisible();
  },
  ssr: async () => {},
  'zone-ssr': async () => {},
  'remote-down': async () => {},
};

/** What the server must answer for server scenarios. */
const RESPONSE: Partial<Record<ScenarioId, (response: APIResponse, html: string) => void>> = {
  ssr: (response, html) => {
    expect(response.status()).toBe(200);
    expect(html).toContain('data-testid="error-fallback"');
    expect(html).toContain('data-testid="page-rest"');
    expect(html).toMatch(/<header[^>]*data-owner="shop"/);
  },
  'zone-ssr': (response, html) => {
    expect(response.status()).toBe(500);
    expect(html).toContain('data-testid="zone-error-page"');
  },
  'remote-down': (response, html) => {
    expect(response.status()).toBe(200);
    expect(html).toContain('data-testid="header-fallback"');
    expect(html).toContain('data-testid="page-rest"');
  },
};

/** The text each scenario's error carries, so an event cannot be mistaken for another's. */
function expectedMessage(scenario: Scenario, zone: Zone): string {
  const messages: Record<ScenarioId, string> = {
    render: "shop's BrokenComponent failed to render (browser)",
    ssr: "shop's BrokenComponent failed to render (server)",
    event: "shop's add-to-cart click handler failed",
    async: "shop's stock check for mug rejected and nobody handled it",
    'zone-render': `${zone.name}'s own order summary failed to render`,
    'zone-ssr': `${zone.name}'s getServerSideProps failed to load the order`,
    'remote-down': "shop's remote could not be loaded",
  };
  return messages[scenario.id];
}

for (const zone of HOST_ZONES) {
  for (const scenario of SCENARIOS) {
    const owner: Owner = scenario.culprit === 'shop' ? 'shop' : zone.owner;

    test(`${scenario.id} in ${zone.name}: the error reaches ${owner}, and only ${owner}`, async ({
      page,
      request,
    }) => {
      const run = newRun(`${scenario.id}-${zone.name}`);
      const url = `${zone.origin}/lab/${scenario.id}?run=${run}`;

      if (scenario.side === 'browser') {
        await page.goto(url);
        await waitForHydration(page);
        await page.getByTestId('trigger').click();
        await PAGE_AFTER[scenario.id](page);
      } else {
        // The server fails on page load; a plain request shows the server's own event.
        const response = await request.get(url, { timeout: 10_000 });
        RESPONSE[scenario.id]?.(response, await response.text());
      }

      const event = onlyEvent(await waitForEvents(owner, run));
      expectDeliveredTo(event, owner);
      expect(`${event.title} ${event.message}`).toContain(expectedMessage(scenario, zone));
      const release = event.release?.version ?? '';
      if (scenario.id === 'remote-down') {
        // Shop's code never loaded, so the host cannot know which release of shop failed.
        expect(release).toBe('shop@unknown');
      } else {
        expect(release).toMatch(new RegExp(`^${owner}@\\d+\\.\\d+\\.\\d+`));
      }
      expect(tag(event, 'owner')).toBe(owner);
      expect(tag(event, 'zone')).toBe(zone.name);
      expect(tag(event, 'run')).toBe(run);
      expect(event.environment).toBe('production');
      expect(requestUrlOf(event)).toContain(`/lab/${scenario.id}`);
      expect(breadcrumbsOf(event)).toContainEqual(
        expect.objectContaining({ category: scenario.breadcrumb.category, message: scenario.breadcrumb.message }),
      );
      await expectNoOtherProjectGot(owner, run);
    });
  }
}
