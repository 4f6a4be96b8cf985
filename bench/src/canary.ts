/**
 * Canaries and the release guard: how fast a broken canary is gone, whether a healthy one is ever
 * taken for a broken one, and what per-owner sessions cost a server render.
 *
 * Traffic is what the guard sees in production: page views of new visitors (no cookie), two at a
 * time, over both hosts; a quarter of them on the canary.
 */
import { bucketOf, newVisitorId } from '@repo/releases';
import { readRegistry } from '@repo/releases/registry';
import { endCanary, openRegistryStore, startCanary } from '@repo/releases/store';
import type { Zone } from '@repo/topology';

const PERCENT = 25;

/** The release a host's page used, from the Header slot, for a visitor (or a new one). */
async function slotRelease(host: Zone, visitor?: string): Promise<string> {
  const response = await fetch(`${host.origin}/`, visitor ? { headers: { cookie: `mf_visitor=${visitor}` } } : {});
  const html = await response.text();
  const slot = /<div[^>]*data-testid="shop-header-slot"[^>]*>/.exec(html)?.[0] ?? '';
  return /data-release="([^"]*)"/.exec(slot)?.[1] ?? '';
}

function canaryVisitor(): string {
  for (;;) {
    const visitor = newVisitorId();
    if (bucketOf(visitor) < PERCENT) return visitor;
  }
}

/** Keeps `workers` new visitors at a time on the hosts until `stop()` says so; counts page views. */
function traffic(hosts: readonly Zone[], workers: number, onView: (release: string, at: number) => void) {
  let running = true;
  let views = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i += workers) {
      const host = hosts[i % hosts.length];
      if (!host) throw new Error('no host to load');
      const release = await slotRelease(host);
      views += 1;
      onView(release, performance.now());
    }
  });
  return {
    get views() {
      return views;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now();
}

export interface GuardReaction {
  /** From the canary's first failing page view to the guard's write of the registry. */
  toPointer: number[];
  /** From the canary's first failing page view until a canary visitor gets the live release from every host. */
  toHosts: number[];
  /** Page views on the broken canary before it was gone, per trial. */
  viewsOnCanary: number[];
}

/** Canaries `broken` at 25 %, `trials` times, under traffic; the guard rolls each back. */
export async function guardReaction(registry: string, hosts: readonly Zone[], broken: string, trials: number): Promise<GuardReaction> {
  const store = openRegistryStore(registry);
  const figures: GuardReaction = { toPointer: [], toHosts: [], viewsOnCanary: [] };
  const canaryRelease = `shop@${broken}`;
  for (let trial = 0; trial < trials; trial++) {
    let firstFailing = 0;
    let onCanary = 0;
    await startCanary(store, 'shop', broken, PERCENT, 'bench');
    const load = traffic(hosts, 2, (release, at) => {
      if (release !== canaryRelease) return;
      onCanary += 1;
      if (!firstFailing) firstFailing = at;
    });
    try {
      const moved = await until(() => !readRegistry(registry).shop?.canary, 60_000, `the guard rolling back ${canaryRelease} (trial ${trial + 1})`);
      const visitor = canaryVisitor();
      let served = moved;
      for (const host of hosts) {
        served = await until(async () => (await slotRelease(host, visitor)) !== canaryRelease, 10_000, `${host.name} leaving the canary`);
      }
      figures.toPointer.push(moved - firstFailing);
      figures.toHosts.push(served - firstFailing);
      figures.viewsOnCanary.push(onCanary);
    } finally {
      await load.stop();
    }
  }
  return figures;
}

export interface FalseRollbacks {
  canaries: number;
  rolledBack: number;
  pageViewsEach: number;
}

/** Every line the guard (apps/guard) prints, kept whole (a process's tail is bounded). */
export class GuardLog {
  readonly lines: string[] = [];
  private partial = '';

  /** For startProcess's onOutput. */
  readonly take = (text: string): void => {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
  };

  /** The guard's evaluations of `canary` printed from line `from` on. */
  evaluations(canary: string, from: number): { canarySessions: number; liveSessions: number; decision: string }[] {
    const pattern = new RegExp(
      `^guard: shop canary=${canary.replaceAll('.', '\\.')} \\d+% canary_sessions=(\\d+) canary_failed=\\d+ live=\\S+ live_sessions=(\\d+) live_failed=\\d+ decision=(\\w+)`,
    );
    return this.lines.slice(from).flatMap((line) => {
      const m = pattern.exec(line.trim());
      return m ? [{ canarySessions: Number(m[1]), liveSessions: Number(m[2]), decision: m[3] ?? '' }] : [];
    });
  }
}

/**
 * `canaries` healthy canaries one after another, each under `pageViews` page views, each judged by
 * the guard on all of them (its evaluation line is the barrier), then ended by hand.
 */
export async function falseRollbacks(
  registry: string,
  hosts: readonly Zone[],
  guard: GuardLog,
  healthy: string,
  canaries: number,
  pageViews: number,
): Promise<FalseRollbacks> {
  const store = openRegistryStore(registry);
  let rolledBack = 0;
  for (let i = 0; i < canaries; i++) {
    const from = guard.lines.length;
    await startCanary(store, 'shop', healthy, PERCENT, 'bench');
    let onCanary = 0;
    let views = 0;
    const load = traffic(hosts, 2, (release) => {
      views += 1;
      if (release === `shop@${healthy}`) onCanary += 1;
    });
    await until(() => views >= pageViews, 120_000, `${pageViews} page views`);
    await load.stop();
    const total = load.views;
    await until(
      () => !readRegistry(registry).shop?.canary || guard.evaluations(`shop@${healthy}`, from).some((e) => e.canarySessions >= onCanary && e.liveSessions >= total - onCanary),
      30_000,
      `the guard judging healthy canary ${i + 1}`,
    );
    if (!readRegistry(registry).shop?.canary) rolledBack += 1;
    else await endCanary(store, 'shop', { by: 'bench', onlyIf: healthy });
  }
  return { canaries, rolledBack, pageViewsEach: pageViews };
}
