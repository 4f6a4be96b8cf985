import { defineConfig, devices } from '@playwright/test';
import { browserLaunchOptions } from '@repo/testkit/browser';
import { suiteServers } from './fixtures/suite-servers';

/**
 * The dev-mode suite (`npm run test:e2e:dev`): the inbox and every zone under `next dev`, then
 * tests-dev/. Zones compile pages on demand, so servers and tests get more time.
 */
export default defineConfig({
  testDir: './tests-dev',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  reporter: 'list',
  use: {
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: browserLaunchOptions(),
  },
  webServer: suiteServers('dev'),
});
