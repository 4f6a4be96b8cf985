import { defineConfig, devices } from '@playwright/test';
import { startOrder, topology } from '@repo/topology';
import { browserLaunchOptions } from './fixtures/browser';
import { sharedRegistry } from './fixtures/zone-servers';

/**
 * The dev-mode suite (`npm run test:e2e:dev`): the inbox and every zone under `next dev`, then
 * tests-dev/. Slower to start (each zone compiles on its first request), so servers get more time.
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
  webServer: [
    {
      command: 'npm run dev --workspace apps/inbox',
      url: `${topology.inbox.origin}/healthz`,
      env: { FEDERATION_REGISTRY: sharedRegistry() },
    },
    ...startOrder(topology).map((zone) => ({
      command: `npm run dev --workspace apps/${zone.name}`,
      // Compiles the zone's pages before the tests: the lab, and (for shop) its remote entry.
      url: zone.isRemote ? `${zone.origin}/_next/static/ssr/remoteEntry.js` : `${zone.origin}/lab/render`,
      env: { FEDERATION_REGISTRY: sharedRegistry() },
    })),
  ].map((server) => ({
    cwd: '..',
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    timeout: 180_000,
    ...server,
  })),
});
