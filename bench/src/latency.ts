/**
 * Error to owner: from the moment a scenario fails to the moment the owner's project has stored
 * the event, readable (the inbox's own `received` time; same machine, same clock). The inbox
 * resolves frames before it stores an event, so the figure includes symbolication; a sample whose
 * crash frame did not resolve to shop's source fails the benchmark instead of counting. Each
 * sample waits on the inbox's live stream, set up before the failure.
 */
import type { Browser } from '@playwright/test';
import { type InboxEvent, newRun, tag, waitForEvent } from '@repo/testkit/inbox';
import { percentile } from '@repo/testkit/load';
import { topology, type Zone } from '@repo/topology';

export interface LatencyFigures {
  samples: number;
  p50: number;
  p95: number;
}

function figures(samples: number[]): LatencyFigures {
  return { samples: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

interface ApiFrame {
  filename?: string | null;
  inApp?: boolean;
  data?: { symbolicated?: boolean } | null;
}

/** The crash frame (the last in-app one) of the event's main exception, if it was resolved. */
function readableCrashFrame(event: InboxEvent): ApiFrame | undefined {
  const values = event.entries.find((entry) => entry.type === 'exception')?.data.values as
    | { stacktrace?: { frames?: ApiFrame[] } | null }[]
    | undefined;
  const top = (values?.at(-1)?.stacktrace?.frames ?? []).filter((frame) => frame.inApp).at(-1);
  return top?.data?.symbolicated === true ? top : undefined;
}

/** Milliseconds from the failure (`fail()` returns its time) to shop's project storing the run's event. */
async function toOwner(run: string, fail: () => Promise<number>): Promise<number> {
  const wait = await waitForEvent(topology.inbox.origin, 'shop', (event) => tag(event, 'run') === run, { query: `run:${run}` });
  try {
    const failedAt = await fail();
    const event = await wait.event;
    if (!readableCrashFrame(event)) {
      throw new Error(`event ${event.eventID} was stored with a minified crash frame: were the source maps uploaded?`);
    }
    return Date.parse(event._inbox.received) - failedAt;
  } finally {
    wait.close();
  }
}

/** Browser: shop's click handler throws (scenario `event`); one page, one click per sample. */
export async function browserErrorToOwner(browser: Browser, zone: Zone, samples: number): Promise<LatencyFigures> {
  const results: number[] = [];
  const page = await browser.newPage();
  for (let i = 0; i < samples; i++) {
    const run = newRun('bench-browser');
    await page.goto(`${zone.origin}/lab/event?run=${run}`);
    await page.getByTestId('zone-shell').and(page.locator('[data-hydrated="true"]')).waitFor();
    results.push(
      await toOwner(run, () =>
        page.evaluate(() => {
          const at = Date.now();
          document.querySelector<HTMLButtonElement>('[data-testid="trigger"]')?.click();
          return at;
        }),
      ),
    );
  }
  await page.close();
  return figures(results);
}

/** Server: shop's component throws during SSR (scenario `ssr`); one request per sample. */
export async function serverErrorToOwner(zone: Zone, samples: number): Promise<LatencyFigures> {
  const results: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = newRun('bench-server');
    results.push(
      await toOwner(run, async () => {
        const requestedAt = Date.now();
        await (await fetch(`${zone.origin}/lab/ssr?run=${run}`)).text();
        return requestedAt;
      }),
    );
  }
  return figures(results);
}
