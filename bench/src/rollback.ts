/**
 * Rollback: from the moment the pointer is moved to the moment every host serves the release it
 * now names, on the server (the HTML of `/`) and in a fresh browser page (hydrated, showing it).
 *
 * Two clocks start each flip: the `npm run rollback` command (everything a person waits for,
 * including npm's and tsx's start-up), and the registry write inside it (what the hosts add). The
 * flips alternate between the two releases; the figures are for flips back to the good release
 * (rollbacks) and, separately, to the broken one (deploys).
 */
import type { Browser } from '@playwright/test';
import { readRegistry } from '@repo/releases/registry';
import { percentile } from '@repo/testkit/load';
import type { Zone } from '@repo/topology';
import { run } from './servers.ts';

export interface FlipFigures {
  flips: number;
  /** From starting `npm run rollback` until every host's server HTML uses the release. */
  commandToServer: number[];
  /** How long the command itself ran (npm and node starting, the check that the target answers, the write). */
  command: number[];
  /** From the registry write until every host's server HTML uses the release. */
  writeToServer: number[];
  /** From starting the command until a fresh page in every host shows the release, hydrated. */
  commandToBrowser: number[];
}

/** How the pointer is moved: the command people type, or the inbox's button (its endpoint). */
export type Mover = { kind: 'command'; registry: string } | { kind: 'inbox'; origin: string };

async function pressInboxButton(origin: string, version: string): Promise<void> {
  const response = await fetch(`${origin}/api/releases/shop/live`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version }),
  });
  if (response.status !== 200) throw new Error(`the inbox refused to move shop to ${version}: ${response.status} ${await response.text()}`);
}

function move(mover: Mover, version: string): Promise<void> {
  return mover.kind === 'command' ? runRollback(mover.registry, version) : pressInboxButton(mover.origin, version);
}

function runRollback(registry: string, version: string): Promise<void> {
  return run('npm', ['run', '--silent', 'rollback', '--', 'shop', version], { FEDERATION_REGISTRY: registry }, true);
}

/**
 * How often each host is asked. Each poll is a full server render; asking much more often keeps
 * both cores busy rendering and slows the very command being timed.
 */
const POLL_INTERVAL_MS = 20;

/** Polls a host's `/` until its HTML says it used `release`; resolves with the time it did. */
async function serverServes(host: Zone, release: string, deadline: number): Promise<number> {
  const marker = `data-shop-release="${release}"`;
  while (performance.now() < deadline) {
    const html = await (await fetch(`${host.origin}/`)).text();
    if (html.includes(marker)) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`${host.name} did not serve ${release} within the deadline`);
}

/** A fresh page per host, reloaded until it shows `release`, hydrated. */
async function browserShows(browser: Browser, host: Zone, release: string, good: boolean, deadline: number): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    while (performance.now() < deadline) {
      await page.goto(`${host.origin}/`);
      const shell = page.locator(`[data-testid="zone-shell"][data-hydrated="true"][data-shop-release="${release}"]`);
      if (await shell.count()) {
        // The good release shows shop's Header; the broken one, the fallback in its place.
        const header = good ? page.locator(`[data-testid="shop-header"][data-release="${release}"]`) : page.getByTestId('header-fallback');
        await header.waitFor({ timeout: 5_000 });
        return performance.now();
      }
      await page.waitForTimeout(5);
    }
    throw new Error(`${host.name}'s page did not show ${release} within the deadline`);
  } finally {
    await context.close();
  }
}

export async function measureRollbacks(
  registry: string,
  mover: Mover,
  hosts: readonly Zone[],
  browser: Browser,
  releases: { good: string; broken: string },
  rollbacks: number,
): Promise<{ rollback: FlipFigures; deploy: FlipFigures }> {
  const empty = (): FlipFigures => ({ flips: 0, command: [], commandToServer: [], writeToServer: [], commandToBrowser: [] });
  const figures = { rollback: empty(), deploy: empty() };
  for (let i = 0; i < rollbacks * 2; i++) {
    const good = i % 2 === 1;
    const version = good ? releases.good : releases.broken;
    const release = `shop@${version}`;
    const into = good ? figures.rollback : figures.deploy;
    const started = performance.now();
    const startedWall = Date.now();
    const deadline = started + 30_000;
    const command = move(mover, version).then(() => performance.now());
    const served = await Promise.all(hosts.map((host) => serverServes(host, release, deadline)));
    const commandDone = await command;
    const shown = await Promise.all(hosts.map((host) => browserShows(browser, host, release, good, deadline)));
    const lastMove = readRegistry(registry).shop?.moves.at(-1);
    if (lastMove?.to !== version) throw new Error(`the registry's last move is not to ${version}`);
    const servedAt = Math.max(...served);
    into.flips += 1;
    into.command.push(commandDone - started);
    into.commandToServer.push(servedAt - started);
    into.writeToServer.push(servedAt - started - (Date.parse(lastMove.at) - startedWall));
    into.commandToBrowser.push(Math.max(...shown) - started);
  }
  return figures;
}

export function p50p95(values: readonly number[]): [number, number] {
  return [percentile(values, 50), percentile(values, 95)];
}
