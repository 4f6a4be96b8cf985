import { existsSync } from 'node:fs';
import { chromium, defineConfig, devices } from '@playwright/test';
import { startOrder, topology } from '@repo/topology';
import { ALT_CHECKOUT, ALT_INBOX, altInboxDataDir } from './fixtures/alternate';

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

interface Server {
  command: string;
  url: string;
  env?: Record<string, string>;
}

function servers(): Server[] {
  return [
    {
      command: 'npm run start --workspace apps/inbox',
      url: `${topology.inbox.origin}/healthz`,
    },
    ...startOrder(topology).map((zone) => ({
      command: `npm run start --workspace apps/${zone.name}`,
      url: `${zone.origin}/`,
    })),
    {
      command: 'npm run start --workspace apps/inbox',
      url: `${ALT_INBOX.origin}/healthz`,
      env: { INBOX_PORT: String(ALT_INBOX.port), INBOX_DATA_DIR: altInboxDataDir() },
    },
    {
      command: 'npm run start --workspace apps/checkout',
      url: `${ALT_CHECKOUT.origin}/`,
      env: { CHECKOUT_PORT: String(ALT_CHECKOUT.port), SENTRY_DSN_SHOP: ALT_CHECKOUT.shopDsn },
    },
  ];
}
