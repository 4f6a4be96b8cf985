/**
 * How e2e and the benchmarks launch Chromium. Playwright's own Chromium is the normal choice;
 * where it cannot be downloaded (CI machines without internet but with Debian's packages), use
 * CHROMIUM_PATH or Debian's chromium.
 */
import { existsSync } from 'node:fs';
import { chromium, type LaunchOptions } from '@playwright/test';

export function browserLaunchOptions(env: NodeJS.ProcessEnv = process.env): LaunchOptions {
  if (existsSync(chromium.executablePath())) return {};
  const executablePath = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium found: neither Playwright's (${chromium.executablePath()}) nor ${executablePath}. ` +
        "Run `npx playwright install chromium`, or install Debian's chromium, or set CHROMIUM_PATH.",
    );
  }
  return {
    executablePath,
    // A system Chromium in a container on a closed network: no sandbox, no GPU, no calls home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  };
}
