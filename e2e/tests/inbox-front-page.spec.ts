import { newRun } from '@repo/testkit/inbox';
import { ZONE_NAMES, topology } from '@repo/topology';
import { expect, test, waitForHydration } from '../fixtures';
import { onlyFor, onlyEvent } from '../fixtures/inbox';

/**
 * The inbox's front page as a workshop room sees it on the big screen: one column per team, and
 * shop's error from checkout's lab arriving in shop's column while the page is open, without a
 * reload, and not in checkout's.
 */
test("the inbox's front page has a column per team and takes checkout's lab error into shop's column live", async ({ page, context, runs }) => {
  await page.goto(`${topology.inbox.origin}/`);
  for (const owner of ZONE_NAMES) await expect(page.locator(`section#${owner}`)).toBeVisible();
  const shop = page.locator('section#shop');
  await expect(shop.locator('[data-live-status]')).toHaveAttribute('data-state', 'live');
  const before = Number(await shop.locator('[data-event-count]').textContent());

  const run = newRun('front-page');
  const watch = await runs.watch(run, { shop: 1 });
  const lab = await context.newPage();
  await lab.goto(`${topology.zones.checkout.origin}/lab/event?run=${run}`);
  await waitForHydration(lab);
  await lab.getByTestId('trigger').click();
  const event = onlyEvent(onlyFor(await watch.settled(), 'shop'));

  await expect(shop.locator(`[data-event-id="${event.eventID}"]`)).toBeVisible();
  expect(Number(await shop.locator('[data-event-count]').textContent())).toBeGreaterThan(before);
  await expect(page.locator(`section#checkout [data-event-id="${event.eventID}"]`)).toHaveCount(0);
});
