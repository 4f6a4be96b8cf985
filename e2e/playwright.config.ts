import { existsSync } from 'node:fs';
import { chromium, defineConfig, devices } from '@playwright/test';
import { startOrder, topology } from '@repo/topology';

/**
 * Playwright's own Chromium is the normal choice. Where it cannot be downloaded (this project's
 * CI machines have no internet but Debian's packages), use CHROMIUM_PATH or Debian's chromium.
 */
function browserLaunchOptions() {
  if (existsSync(chromium.executablePath())) return {};
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium found: neither Playwright's (${chromium.executablePath()}) nor ${executablePath}. ` +
        'Run `npx playwright install chromium`, or install Debian\'s chromium, or set CHROMIUM_PATH.',
    );
  }
  return {
    executablePath,
    // Flags for a system Chromium on a closed network (see FEASIBILITY.md).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: browserLaunchOptions(),
  },
  // Every zone's production build, served on its port from the topology (`npm test` builds
  // first). Playwright starts them one after the other, shop first (see startOrder).
  webServer: startOrder(topology).map((zone) => ({
    command: `npm run start --workspace apps/${zone.name}`,
    url: `${zone.origin}/`,
    cwd: '..',
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    timeout: 60_000,
  })),
});
