import { defineConfig, devices } from '@playwright/test';
import { browserLaunchOptions } from '@repo/testkit/browser';
import { suiteServers } from './fixtures/suite-servers';

/** The suite against production builds (`npm test` builds first, with the same topology variables). */
export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Two workers everywhere, not only in CI: Playwright's default is half the cores, one on a
  // 2-core machine, which doubled a local `npm test`'s e2e time.
  workers: 2,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: browserLaunchOptions(),
  },
  webServer: suiteServers('start'),
  // Runs once the servers are up (Playwright starts webServer before globalSetup).
  globalSetup: './fixtures/upload-source-maps.ts',
});
