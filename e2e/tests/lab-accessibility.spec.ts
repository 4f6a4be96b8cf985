import AxeBuilder from '@axe-core/playwright';
import { SCENARIOS } from '@repo/host/scenarios';
import { HOST_ZONES, expect, test, waitForHydration } from '../fixtures';

/**
 * The lab's pages, as workshop attendees use them, checked by axe-core against WCAG 2 A and AA:
 * no serious or critical violation, with the owners' outlines on (what the workshop shows) and a
 * failure contained on the page (the fallback is part of what people read).
 */
const PATHS = ['/lab', ...SCENARIOS.filter((s) => s.side === 'browser').map((s) => `/lab/${s.id}`), '/lab/ssr'];

for (const zone of HOST_ZONES) {
  for (const path of PATHS) {
    test(`${zone.name} ${path}: no serious accessibility violation`, async ({ page }) => {
      await page.goto(`${zone.origin}${path}`);
      await waitForHydration(page);
      await page.getByTestId('owners-toggle').click();
      const trigger = page.getByTestId('trigger');
      if ((await trigger.count()) > 0) await trigger.first().click();
      const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      const serious = violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      expect(serious).toEqual([]);
    });
  }
}
