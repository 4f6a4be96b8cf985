import { HOST_ZONES, SHOP, expect, test, waitForHydration } from '../fixtures';

for (const zone of HOST_ZONES) {
  test.describe(`${zone.title} renders shop's Header`, () => {
    test('in the server HTML, marked as owned by shop', async ({ request }) => {
      const response = await request.get(`${zone.origin}/`);
      expect(response.status()).toBe(200);
      const html = await response.text();
      expect(html).toMatch(/<header[^>]*data-owner="shop"[^>]*data-testid="shop-header"/);
      expect(html).toContain('Federated Store');
      // The zone's own page is there too, and the header is not the fallback.
      expect(html).toContain(`data-zone="${zone.name}"`);
      expect(html).not.toContain('data-testid="header-fallback"');
      // The document preloads the remote chunks the render used, as CORS scripts.
      expect(html).toMatch(
        new RegExp(`<script src="${SHOP.origin}/_next/static/chunks/__federation_expose_Header[^"]*" async="" crossorigin="anonymous">`),
      );
    });

    test('and hydrates it in the browser without a console or page error', async ({ page, problems }) => {
      await page.goto(`${zone.origin}/`);
      await waitForHydration(page);
      const header = page.getByTestId('shop-header');
      await expect(header).toBeVisible();
      await expect(header).toHaveAttribute('data-owner', 'shop');
      await expect(header.getByRole('link', { name: 'Products' })).toBeVisible();
      expect(problems.pageErrors).toEqual([]);
      expect(problems.consoleErrors).toEqual([]);
    });
  });
}

test.describe("Shop's own zone", () => {
  test('renders its Header on its own pages', async ({ request, page, problems }) => {
    for (const path of ['/', '/products', '/products/tea']) {
      const response = await request.get(`${SHOP.origin}${path}`);
      expect(response.status(), path).toBe(200);
      expect(await response.text(), path).toMatch(/<header[^>]*data-owner="shop"/);
    }
    await page.goto(`${SHOP.origin}/products`);
    await expect(page.getByTestId('shop-header')).toBeVisible();
    await page.getByRole('link', { name: 'Green tea' }).click();
    await expect(page.getByRole('heading', { name: 'Green tea' })).toBeVisible();
    expect(problems.pageErrors).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
  });
});
