import type { Locator, Page } from '@playwright/test';
import { HOST_ZONES, expect, test, waitForHydration } from '../fixtures';

/**
 * The workshop's "show owners" switch, in Chromium against production builds: it outlines every
 * region of the page that shop's team owns (its Header, its BrokenComponent), in shop's colour,
 * labelled with the team and the release that rendered it, fallbacks labelled as fallbacks, and
 * never the host's own content. Key `o` toggles it; the choice survives a reload.
 */

/** The colour `var(--team-<owner>)` resolves to on this page, as the browser computes colours. */
async function teamColour(page: Page, owner: string): Promise<string> {
  return page.evaluate((name) => {
    const probe = document.createElement('span');
    probe.style.color = `var(--team-${name})`;
    document.body.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, owner);
}

async function outlineOf(locator: Locator): Promise<{ style: string; colour: string }> {
  return locator.evaluate((element) => {
    const style = getComputedStyle(element);
    return { style: style.outlineStyle, colour: style.outlineColor };
  });
}

async function labelOf(locator: Locator): Promise<string> {
  return locator.evaluate((element) => getComputedStyle(element, '::before').content);
}

for (const zone of HOST_ZONES) {
  test(`${zone.name}: the owners switch outlines shop's Header and BrokenComponent in shop's colour, and nothing of ${zone.name}'s own`, async ({
    page,
  }) => {
    await page.goto(`${zone.origin}/lab/event`);
    await waitForHydration(page);
    const release = await page.getByTestId('shop-header-slot').getAttribute('data-release');
    expect(release).toMatch(/^shop@\d+\.\d+\.\d+/);

    const regions = page.locator('[data-owned-region]');
    const header = regions.filter({ has: page.getByTestId('shop-header') });
    const broken = regions.filter({ has: page.getByTestId('broken-component') });
    // Shop's two modules on this page, each one region, and nothing else is marked as owned.
    await expect(regions).toHaveCount(2);
    for (const region of [header, broken]) {
      await expect(region).toHaveCount(1);
      await expect(region).toHaveAttribute('data-owner', 'shop');
      await expect(region).toHaveAttribute('data-owner-label', `shop · ${release}`);
      expect((await outlineOf(region)).style, 'no outline while the switch is off').toBe('none');
    }

    const toggle = page.getByTestId('owners-toggle');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('html')).toHaveAttribute('data-show-owners');

    const shopColour = await teamColour(page, 'shop');
    expect(shopColour).not.toBe(await teamColour(page, zone.owner));
    for (const region of [header, broken]) {
      const outline = await outlineOf(region);
      expect(outline.style).not.toBe('none');
      expect(outline.colour).toBe(shopColour);
      expect(await labelOf(region)).toContain(`shop · ${release}`);
    }
    // The host's own content: in no owned region, and not outlined.
    for (const own of [page.getByTestId('expected-owner'), page.getByTestId('page-rest'), page.getByTestId('zone-shell')]) {
      expect(await own.evaluate((element) => element.closest('[data-owned-region]'))).toBeNull();
      expect((await outlineOf(own)).style).toBe('none');
    }

    // The choice survives a reload; `o` turns it off and on again.
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByTestId('owners-toggle')).toHaveAttribute('aria-pressed', 'true');
    await page.keyboard.press('o');
    await expect(page.getByTestId('owners-toggle')).toHaveAttribute('aria-pressed', 'false');
    await expect(page.locator('html')).not.toHaveAttribute('data-show-owners');
    await page.keyboard.press('o');
    await expect(page.getByTestId('owners-toggle')).toHaveAttribute('aria-pressed', 'true');
  });

  test(`${zone.name}: a fallback in shop's place is labelled as shop's fallback`, async ({ page }) => {
    await page.goto(`${zone.origin}/lab/ssr`);
    await waitForHydration(page);
    await page.getByTestId('owners-toggle').click();
    const region = page.locator('[data-owned-region]').filter({ has: page.getByTestId('error-fallback') });
    await expect(region).toHaveCount(1);
    await expect(region).toHaveAttribute('data-owner', 'shop');
    await expect(region.getByTestId('error-fallback')).toHaveAttribute('data-fallback');
    expect(await labelOf(region)).toMatch(/shop · shop@\d+\.\d+\.\d+.*fallback/);
  });
}
