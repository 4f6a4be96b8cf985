import { HOST_ZONES, documentMark, expect, markDocument, test, waitForHydration } from '../fixtures';

for (const zone of HOST_ZONES) {
  test.describe(`From ${zone.title}, shop's pages`, () => {
    test('are server-rendered inside the host on a direct load', async ({ request }) => {
      const list = await request.get(`${zone.origin}/products`);
      expect(list.status()).toBe(200);
      const listHtml = await list.text();
      expect(listHtml).toMatch(/<main[^>]*data-owner="shop"[^>]*data-testid="product-list"/);
      expect(listHtml).toContain('Stoneware mug');
      expect(listHtml).toContain(`data-zone="${zone.name}"`);

      const product = await request.get(`${zone.origin}/products/kettle`);
      expect(product.status()).toBe(200);
      const productHtml = await product.text();
      expect(productHtml).toContain('Gooseneck, stovetop.');
      expect(productHtml).toContain(`data-zone="${zone.name}"`);

      const missing = await request.get(`${zone.origin}/products/no-such-thing`);
      expect(missing.status()).toBe(404);
    });

    test("are reached through shop's Header links without a full page reload", async ({ page, problems }) => {
      await page.goto(`${zone.origin}/`);
      await waitForHydration(page);
      const mark = await markDocument(page);

      await page.getByTestId('shop-header').getByRole('link', { name: 'Products' }).click();
      await expect(page).toHaveURL(`${zone.origin}/products`);
      await expect(page.getByTestId('product-list')).toBeVisible();
      expect(await documentMark(page)).toBe(mark);

      await page.getByTestId('product-list').getByRole('link', { name: 'Kettle' }).click();
      await expect(page).toHaveURL(`${zone.origin}/products/kettle`);
      await expect(page.getByRole('heading', { name: 'Kettle' })).toBeVisible();
      await expect(page.getByTestId('price')).toHaveText('€49.00');
      expect(await documentMark(page)).toBe(mark);

      await page.getByTestId('shop-header').getByRole('link', { name: 'Featured' }).click();
      await expect(page.getByRole('heading', { name: 'Stoneware mug' })).toBeVisible();
      expect(await documentMark(page)).toBe(mark);
      // Still the host's page around shop's: the zone shell did not change.
      await expect(page.getByTestId('zone-shell')).toHaveAttribute('data-zone', zone.name);

      expect(problems.pageErrors).toEqual([]);
      expect(problems.consoleErrors).toEqual([]);
    });
  });
}
