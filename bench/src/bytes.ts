/**
 * What a shopper's browser downloads: the JavaScript of a page's first load, measured in
 * Chromium (compressed bytes as transferred), split by where it comes from and what it is; and
 * what a second visit of the same page, in the same browser, downloads again.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Request } from '@playwright/test';
import { browserLaunchOptions } from '@repo/testkit/browser';
import type { Zone } from '@repo/topology';
import { CHUNK_COMPOSITION_FILE, type ChunkComposition as Composition, type PackageGroup as Group } from '../webpack/chunk-composition-plugin.ts';
import { REPO_ROOT } from './servers.ts';
import { kib, table } from './stats.ts';

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

/**
 * The parts of a page's JavaScript. "remote entry" is shop's `remoteEntry.js` as a whole (its
 * own copy of the federation runtime included); "federation runtime" is the page's own.
 */
export const PARTS = ['Next', 'React', 'Sentry', 'federation runtime', 'remote entry', "shop's modules", "app's own"] as const;
export type Part = (typeof PARTS)[number];

export interface PageParts {
  /** What the row is called, e.g. `checkout /`. */
  label: string;
  /** All JavaScript the first load transferred (compressed), and its parts (estimated per chunk). */
  total: number;
  parts: Record<Part, number>;
  /** React DOM renderers that registered with the page: 1 means one copy of React. */
  reactCopies: number;
  /** JavaScript the second load of the page in the same browser transferred (not from its cache). */
  repeat: number;
}

/** Where a zone's build wrote its chunk composition: `.next`, or the control build's directory. */
function compositionOf(zone: string, distDir = '.next'): Composition {
  const file = join(REPO_ROOT, 'apps', zone, distDir, CHUNK_COMPOSITION_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Composition) : {};
}

/** Share of each group in a chunk, by module source size; all 'other' when the chunk is unknown. */
function sharesOf(composition: Composition, file: string): Partial<Record<Group, number>> {
  const shares = composition[file];
  const total = shares ? Object.values(shares).reduce((a, b) => a + (b ?? 0), 0) : 0;
  if (!shares || !total) return { other: 1 };
  return Object.fromEntries(Object.entries(shares).map(([group, size]) => [group, (size ?? 0) / total]));
}

function share(composition: Composition, file: string, group: Group): number {
  return sharesOf(composition, file)[group] ?? 0;
}

export async function openBrowser(): Promise<Browser> {
  return chromium.launch(browserLaunchOptions());
}

/** Counts React DOM renderers as React DevTools would: each copy of react-dom injects itself. */
async function countReactRenderers(page: Page): Promise<void> {
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
}

function reactCopiesOf(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __reactCopies: () => number }).__reactCopies());
}

/**
 * Loads `url` and calls `onScript` with each script it fetched and the compressed bytes of its
 * body as transferred (0 for one the browser had in its cache), once the load is over.
 */
async function loadScripts(page: Page, url: string, onScript: (request: Request, bytes: number) => void): Promise<void> {
  const pending: Promise<void>[] = [];
  const inFlight = new Set<unknown>();
  let lastChange = performance.now();
  const track = (change: () => void) => {
    change();
    lastChange = performance.now();
  };
  const started = (request: Request) => {
    if (request.resourceType() === 'script') track(() => inFlight.add(request));
  };
  const failed = (request: Request) => track(() => inFlight.delete(request));
  const finished = (request: Request) => {
    if (request.resourceType() !== 'script') return;
    track(() => inFlight.delete(request));
    pending.push(request.sizes().then(({ responseBodySize }) => onScript(request, Math.max(0, responseBodySize))));
  };
  page.on('request', started);
  page.on('requestfailed', failed);
  page.on('requestfinished', finished);
  try {
    // Not 'networkidle': Sentry's own requests (sessions, events) may keep the network busy. The
    // load is over when no script has been requested or finished for half a second.
    await page.goto(url, { waitUntil: 'load' });
    const deadline = performance.now() + 15_000;
    while (inFlight.size > 0 || performance.now() - lastChange < 500) {
      if (performance.now() > deadline) throw new Error(`${url}: scripts still loading after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(pending);
  } finally {
    page.off('request', started);
    page.off('requestfailed', failed);
    page.off('requestfinished', finished);
  }
}

/** A script's path under `/_next/`, as the chunk composition names it. */
function chunkFile(url: URL): string {
  return url.pathname.replace(/^\/_next\//, '');
}

export async function measurePage(browser: Browser, zone: Zone, path: string, shop: Zone): Promise<PageBytes> {
  const page = await browser.newPage();
  await countReactRenderers(page);
  const own = compositionOf(zone.name);
  const shops = compositionOf(shop.name);
  const figures: PageBytes = { zone: zone.name, path, total: 0, fromShop: 0, sentry: 0, federation: 0, reactCopies: 0 };
  await loadScripts(page, `${zone.origin}${path}`, (request, bytes) => {
    const url = new URL(request.url());
    const file = chunkFile(url);
    const composition = url.origin === shop.origin ? shops : own;
    figures.total += bytes;
    if (url.origin === shop.origin && zone.name !== shop.name) figures.fromShop += bytes;
    figures.sentry += bytes * share(composition, file, 'sentry');
    figures.federation += file.endsWith('remoteEntry.js') ? bytes : bytes * share(composition, file, 'federation');
  });
  figures.reactCopies = await reactCopiesOf(page);
  await page.close();
  return figures;
}

const PART_OF_GROUP: Record<Group, Part> = {
  next: 'Next',
  react: 'React',
  sentry: 'Sentry',
  federation: 'federation runtime',
  remote: "shop's modules",
  other: "app's own",
};

export interface MeasurePartsOptions {
  /** What the row is called; default `<zone> <path>`. */
  label?: string;
  /** The zone's build directory, for its chunk composition: `.next-control` for the control build. */
  distDir?: string;
}

/**
 * The first load of `path` split into PARTS, and the JavaScript a second load of it in the same
 * browser context downloads again (a returning visitor: the same page, the same release).
 */
export async function measureParts(browser: Browser, zone: Zone, path: string, shop: Zone, options: MeasurePartsOptions = {}): Promise<PageParts> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await countReactRenderers(page);
  const own = compositionOf(zone.name, options.distDir);
  const shops = compositionOf(shop.name);
  const parts = Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<Part, number>;
  let total = 0;
  const url = `${zone.origin}${path}`;
  await loadScripts(page, url, (request, bytes) => {
    const script = new URL(request.url());
    const file = chunkFile(script);
    total += bytes;
    const remote = script.origin === shop.origin && zone.name !== shop.name;
    if (remote && file.endsWith('remoteEntry.js')) {
      parts['remote entry'] += bytes;
      return;
    }
    for (const [group, fraction] of Object.entries(sharesOf(remote ? shops : own, file)) as [Group, number][]) {
      // Shop's own code is the app's own on shop's pages, and what a host renders of shop elsewhere.
      const part = remote && group === 'other' ? "shop's modules" : zone.name === shop.name && group === 'remote' ? "app's own" : PART_OF_GROUP[group];
      parts[part] += bytes * fraction;
    }
  });
  const reactCopies = await reactCopiesOf(page);
  let repeat = 0;
  await loadScripts(page, url, (_request, bytes) => {
    repeat += bytes;
  });
  await context.close();
  return { label: options.label ?? `${zone.name} ${path}`, total, parts, reactCopies, repeat };
}

/** The table of `measureParts` rows, each part in KiB; `versus` adds each row's difference to it. */
export function partsTable(rows: readonly PageParts[], versus?: PageParts): string {
  const body = rows.map((row) => [
    row.label,
    kib(row.total),
    ...PARTS.map((part) => kib(row.parts[part])),
    String(row.reactCopies),
    kib(row.repeat),
    versus && row !== versus ? kib(row.total - versus.total) : '',
  ]);
  return table(['page', 'first load', ...PARTS, 'React copies', 'repeat visit', versus ? `over ${versus.label}` : ''], body);
}
