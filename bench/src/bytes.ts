/**
 * What a shopper's browser downloads: the JavaScript of a page's first load, measured in
 * Chromium (compressed bytes as transferred), split by where it comes from and what it is.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { browserLaunchOptions } from '@repo/testkit/browser';
import type { Zone } from '@repo/topology';
import { CHUNK_COMPOSITION_FILE, type ChunkComposition as Composition, type PackageGroup as Group } from '../webpack/chunk-composition-plugin.ts';
import { REPO_ROOT } from './servers.ts';

export interface PageBytes {
  zone: string;
  path: string;
  /** All JavaScript the first load transferred (compressed). */
  total: number;
  /** Of which served by shop (remote entry and shop's chunks), on a host's page. */
  fromShop: number;
  /** Estimated Sentry bytes (by module share of each chunk). */
  sentry: number;
  /** Estimated federation runtime bytes, plus shop's remote entry. */
  federation: number;
  /** React DOM renderers that registered with the page: 1 means one copy of React. */
  reactCopies: number;
}

function compositionOf(zone: string): Composition {
  const file = join(REPO_ROOT, 'apps', zone, '.next', CHUNK_COMPOSITION_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Composition) : {};
}

/** Share of `group` in a chunk, by module source size; 0 when the chunk is unknown. */
function share(composition: Composition, file: string, group: Group): number {
  const shares = composition[file];
  if (!shares) return 0;
  const total = Object.values(shares).reduce((a, b) => a + (b ?? 0), 0);
  return total ? (shares[group] ?? 0) / total : 0;
}

export async function openBrowser(): Promise<Browser> {
  return chromium.launch(browserLaunchOptions());
}

export async function measurePage(browser: Browser, zone: Zone, path: string, shop: Zone): Promise<PageBytes> {
  const page = await browser.newPage();
  // Count React DOM renderers as React DevTools would: each copy of react-dom injects itself.
  await page.addInitScript(() => {
    const injected: unknown[] = [];
    Object.defineProperty(window, '__REACT_DEVTOOLS_GLOBAL_HOOK__', {
      value: {
        renderers: new Map(),
        supportsFiber: true,
        inject(renderer: unknown) {
          injected.push(renderer);
          return injected.length;
        },
        onCommitFiberRoot() {},
        onCommitFiberUnmount() {},
        onPostCommitFiberRoot() {},
        checkDCE() {},
      },
    });
    (window as unknown as { __reactCopies: () => number }).__reactCopies = () => injected.length;
  });
  const own = compositionOf(zone.name);
  const shops = compositionOf(shop.name);
  const figures: PageBytes = { zone: zone.name, path, total: 0, fromShop: 0, sentry: 0, federation: 0, reactCopies: 0 };
  const pending: Promise<void>[] = [];
  const inFlight = new Set<unknown>();
  let lastChange = performance.now();
  const track = (change: () => void) => {
    change();
    lastChange = performance.now();
  };
  page.on('request', (request) => {
    if (request.resourceType() === 'script') track(() => inFlight.add(request));
  });
  page.on('requestfailed', (request) => track(() => inFlight.delete(request)));
  page.on('requestfinished', (request) => {
    if (request.resourceType() !== 'script') return;
    track(() => inFlight.delete(request));
    pending.push(
      request.sizes().then(({ responseBodySize }) => {
        const url = new URL(request.url());
        const file = url.pathname.replace(/^\/_next\//, '');
        const fromShop = url.origin === shop.origin && zone.name !== shop.name;
        const composition = url.origin === shop.origin ? shops : own;
        figures.total += responseBodySize;
        if (fromShop) figures.fromShop += responseBodySize;
        figures.sentry += responseBodySize * share(composition, file, 'sentry');
        figures.federation +=
          file.endsWith('remoteEntry.js') ? responseBodySize : responseBodySize * share(composition, file, 'federation');
      }),
    );
  });
  // Not 'networkidle': Sentry's own requests (sessions, events) may keep the network busy. The
  // first load is over when no script has been requested or finished for half a second.
  await page.goto(`${zone.origin}${path}`, { waitUntil: 'load' });
  const deadline = performance.now() + 15_000;
  while (inFlight.size > 0 || performance.now() - lastChange < 500) {
    if (performance.now() > deadline) throw new Error(`${zone.origin}${path}: scripts still loading after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(pending);
  figures.reactCopies = await page.evaluate(() => (window as unknown as { __reactCopies: () => number }).__reactCopies());
  await page.close();
  return figures;
}
