import { HOST_ZONES, expect, test, waitForHydration } from '../fixtures';

/**
 * The lab matrix proves what the server answers when shop's BrokenComponent throws while a host
 * renders (scenario `ssr`) and where the error goes; this is what the browser does with that
 * answer: it hydrates the page with the fallback in the component's place, without a page error,
 * and the page keeps working.
 */
for (const zone of HOST_ZONES) {
  test(`In ${zone.title}, a page whose server render lost shop's BrokenComponent hydrates with the fallback and works`, async ({
    page,
    problems,
  }) => {
    await page.goto(`${zone.origin}/lab/ssr`);
    await waitForHydration(page);
    await expect(page.getByTestId('error-fallback')).toBeVisible();
    await expect(page.getByTestId('broken-component')).toHaveCount(0);
    expect(problems.pageErrors).toEqual([]);
    await page.getByTestId('page-rest').getByRole('link', { name: 'All scenarios' }).click();
    await expect(page.getByTestId('lab-index')).toBeVisible();
  });
}
