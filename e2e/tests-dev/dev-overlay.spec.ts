import { topology } from '@repo/topology';
import { expect, test, waitForHydration } from '../fixtures';

/**
 * Under next dev the lab's lesson still holds: when shop's component fails and checkout's page
 * contains it, Next's full-screen error overlay does not cover the page (Next still counts the
 * error in its corner indicator, which is where a developer finds it), while checkout's own
 * uncaught component error keeps the overlay. The indicator's count is the barrier: once Next
 * shows it, Next has heard of the error and decided about its overlay.
 */
const checkout = topology.zones.checkout;

test("shop's contained failure leaves checkout's page visible, counted in Next's indicator", async ({ page }) => {
  await page.goto(`${checkout.origin}/lab/render`);
  await waitForHydration(page);
  await page.getByTestId('trigger').click();
  await expect(page.getByTestId('error-fallback')).toBeVisible();
  await expect(page.locator('[data-issues-count]')).toHaveText(/[1-9]/, { timeout: 30_000 });
  await expect(page.locator('[data-nextjs-dialog]')).toHaveCount(0);
  await expect(page.getByTestId('page-rest')).toBeVisible();
});

test("checkout's own component failure still opens Next's overlay", async ({ page }) => {
  await page.goto(`${checkout.origin}/lab/zone-render`);
  await waitForHydration(page);
  await page.getByTestId('trigger').click();
  await expect(page.locator('[data-nextjs-dialog]').first()).toBeVisible({ timeout: 30_000 });
});
