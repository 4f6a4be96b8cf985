/**
 * Error to owner: from the moment a scenario fails to the moment the owner's project has stored
 * the event (the inbox's own `received` time; same machine, same clock).
 */
import type { Browser } from '@playwright/test';
import { INBOX_ORG, topology, type Zone } from '@repo/topology';
import { percentile } from './stats.ts';

interface StoredEvent {
  _inbox: { received: string };
}

async function receivedAt(owner: string, run: string): Promise<number> {
  const url = `${topology.inbox.origin}/api/0/projects/${INBOX_ORG}/${owner}/events/?query=run:${run}&full=true`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const events = (await (await fetch(url)).json()) as StoredEvent[];
    const [event] = events;
    if (event) return Date.parse(event._inbox.received);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no event for run ${run} in ${owner}'s project`);
}

export interface LatencyFigures {
  samples: number;
  p50: number;
  p95: number;
}

function figures(samples: number[]): LatencyFigures {
  return { samples: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

/** Browser: shop's click handler throws (scenario `event`); one page, one click per sample. */
export async function browserErrorToOwner(browser: Browser, zone: Zone, samples: number): Promise<LatencyFigures> {
  const results: number[] = [];
  const page = await browser.newPage();
  for (let i = 0; i < samples; i++) {
    const run = `bench-browser-${Date.now().toString(36)}-${i}`;
    await page.goto(`${zone.origin}/lab/event?run=${run}`);
    await page.getByTestId('zone-shell').and(page.locator('[data-hydrated="true"]')).waitFor();
    const thrownAt = await page.evaluate(() => {
      const at = Date.now();
      document.querySelector<HTMLButtonElement>('[data-testid="trigger"]')?.click();
      return at;
    });
    results.push((await receivedAt('shop', run)) - thrownAt);
  }
  await page.close();
  return figures(results);
}

/** Server: shop's component throws during SSR (scenario `ssr`); one request per sample. */
export async function serverErrorToOwner(zone: Zone, samples: number): Promise<LatencyFigures> {
  const results: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = `bench-server-${Date.now().toString(36)}-${i}`;
    const requestedAt = Date.now();
    const response = await fetch(`${zone.origin}/lab/ssr?run=${run}`);
    await response.text();
    results.push((await receivedAt('shop', run)) - requestedAt);
  }
  return figures(results);
}
