import { HOST_ZONES, documentMark, expect, markDocument, test, waitForHydration } from '../fixtures';

/**
 * Scenarios `render` and `ssr` of the lab: shop's BrokenComponent throws inside a host's page,
 * and the host's page survives it.
 */
for (const zone of HOST_ZONES) {
  test.describe(`In ${zone.title}, shop's BrokenComponent`, () => {
    test('is contained when it throws in the browser (render)', async ({ page, problems }) => {
      await page.goto(`${zone.origin}/lab/render`);
      await waitForHydration(page);
      await expect(page.getByTestId('broken-component')).toBeVisible();
      const mark = await markDocument(page);

      await page.getByTestId('trigger').click();

      await expect(page.getByTestId('error-fallback')).toBeVisible();
      await expect(page.getByTestId('broken-component')).toHaveCount(0);
      // The rest of the page is still there and still works: shop's Header navigates in-app.
      await expect(page.getByTestId('shop-header')).toBeVisible();
      expect(problems.pageErrors).toEqual([]);
      await page.getByTestId('shop-header').getByRole('link', { name: 'Products' }).click();
      await expect(page.getByTestId('product-list')).toBeVisible();
      expect(await documentMark(page)).toBe(mark);
    });

    test('is contained when it throws during server rendering (ssr)', async ({ request, page, problems }) => {
      const response = await request.get(`${zone.origin}/lab/ssr`);
      expect(response.status()).toBe(200);
      const html = await response.text();
      expect(html).toContain('data-testid="error-fallback"');
      expect(html).not.toContain('data-testid="broken-component"');
      expect(html).toMatch(/<header[^>]*data-owner="shop"/);
      expect(html).toContain('data-testid="page-rest"');

      await page.goto(`${zone.origin}/lab/ssr`);
      await waitForHydration(page);
      await expect(page.getByTestId('error-fallback')).toBeVisible();
      await expect(page.getByTestId('broken-component')).toHaveCount(0);
      expect(problems.pageErrors).toEqual([]);
      await page.getByTestId('page-rest').getByRole('link', { name: 'All scenarios' }).click();
      await expect(page.getByTestId('lab-index')).toBeVisible();
    });
  });
}
