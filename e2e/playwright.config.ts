import { defineConfig, devices } from '@playwright/test';
import { browserLaunchOptions } from './fixtures/browser';
import { startOrder, topology } from '@repo/topology';
import { ALT_CHECKOUT, ALT_INBOX, altInboxDataDir } from './fixtures/alternate';
import { sharedRegistry } from './fixtures/zone-servers';

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
  // Playwright starts these one after the other: the inbox, then every zone's production build
  // on its port from the topology (`npm test` builds first), shop before its hosts (startOrder);
  // last, a second receiver and a checkout whose SENTRY_DSN_SHOP points at it.
  webServer: servers().map((server) => ({
    cwd: '..',
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    timeout: 60_000,
    ...server,
  })),
});

export interface Server {
  command: string;
  url: string;
  env?: Record<string, string>;
}

function servers(): Server[] {
  return [
    {
      command: 'npm run start --workspace apps/inbox',
      url: `${topology.inbox.origin}/healthz`,
      env: { FEDERATION_REGISTRY: sharedRegistry() },
    },
    ...startOrder(topology).map((zone) => ({
      command: `npm run start --workspace apps/${zone.name}`,
      url: `${zone.origin}/`,
      env: { FEDERATION_REGISTRY: sharedRegistry() },
    })),
    {
      command: 'npm run start --workspace apps/inbox',
      url: `${ALT_INBOX.origin}/healthz`,
      env: { INBOX_PORT: String(ALT_INBOX.port), INBOX_DATA_DIR: altInboxDataDir() },
    },
    {
      command: 'npm run start --workspace apps/checkout',
      url: `${ALT_CHECKOUT.origin}/`,
      env: { CHECKOUT_PORT: String(ALT_CHECKOUT.port), SENTRY_DSN_SHOP: ALT_CHECKOUT.shopDsn, FEDERATION_REGISTRY: sharedRegistry() },
    },
  ];
}
