/**
 * The guard's loop. Every `intervalMs` it reads the registry and, for each remote with a canary,
 * the owner's sessions by release since `max(canary start, now − window)`; it applies the rule
 * (rule.ts) to the canary and the live release, and when the rule says so it ends the canary
 * (only that canary: if a person changed it meanwhile, nothing happens), tells the owner's
 * webhook and logs it.
 *
 * Evaluations never overlap: the next one is scheduled when one ends. A registry or a health API
 * that cannot be read is said once per failure streak (and once when it recovers), and tried
 * again at the next tick; the guard never exits because of it.
 *
 * Its output (tests and the benchmark read it): after each evaluation whose figures changed, one
 * line per canary,
 *   guard: shop canary=shop@1.2.0 25% canary_sessions=40 canary_failed=0 live=shop@1.0.0 live_sessions=118 live_failed=0 decision=keep
 * and after a rollback
 *   guard: rolled back shop@1.1.0: <the rule's reason>
 */
import { releaseName } from '@repo/releases';
import type { Canary, RemoteReleases } from '@repo/releases/registry';
import { endCanary, type RegistryStore } from '@repo/releases/store';
import { REMOTE_NAMES, ZONE_SPECS, type Owner, type RemoteName } from '@repo/topology';
import { ownerVariable } from './config.ts';
import type { HealthReader, ReleaseCounts } from './health.ts';
import { judge, type RuleOptions, type Verdict } from './rule.ts';
import { deliver, rollbackMessage, type DeliveryOptions, type WebhookBody } from './webhook.ts';

export interface GuardOptions {
  readonly store: RegistryStore;
  readonly health: HealthReader;
  readonly rule: RuleOptions;
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly webhooks: Readonly<Partial<Record<Owner, string>>>;
  readonly log?: (line: string) => void;
  /** Webhook retries (tests shorten them). */
  readonly delivery?: Pick<DeliveryOptions, 'attempts' | 'baseDelayMs' | 'timeoutMs'>;
  /** How long stop() lets a webhook delivery under way finish before aborting it; default 3 s. */
  readonly stopGraceMs?: number;
}

export interface Guard {
  /** Starts the loop: an evaluation now, then one `intervalMs` after each ends. */
  start(): void;
  /** One evaluation, after any under way (the loop's own, or a test's). Never rejects. */
  evaluate(): Promise<void>;
  /** Ends the loop, lets the evaluation under way finish, and webhook deliveries (a little). */
  stop(): Promise<void>;
}

const NO_COUNTS: ReleaseCounts = { sessions: 0, failed: 0 };

/** Rates and bounds to four places: what a person reads, and all the rule used. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The figures a rollback records in the registry's move and sends to the webhook. */
function figuresOf(
  canary: Canary,
  canaryRelease: string,
  liveRelease: string | null,
  counts: { canary: ReleaseCounts; live: ReleaseCounts },
  verdict: Verdict,
  window: { start: Date; end: Date },
  rule: RuleOptions,
): Record<string, number | string> {
  return {
    canary: canaryRelease,
    percent: canary.percent,
    canary_since: canary.since,
    canary_sessions: counts.canary.sessions,
    canary_failed: counts.canary.failed,
    ...(verdict.canaryRate === null ? {} : { canary_rate: round(verdict.canaryRate) }),
    canary_lower: round(verdict.canaryLower),
    live: liveRelease ?? 'none',
    live_sessions: counts.live.sessions,
    live_failed: counts.live.failed,
    ...(verdict.liveRate === null ? {} : { live_rate: round(verdict.liveRate) }),
    live_upper: round(verdict.liveUpper),
    live_prior: verdict.livePrior ? 'yes' : 'no',
    window_start: window.start.toISOString(),
    window_end: window.end.toISOString(),
    min_sessions: rule.minSessions,
    min_failed: rule.minFailed,
    confidence: '99 %',
  };
}

export function createGuard(options: GuardOptions): Guard {
  const log = options.log ?? ((line: string) => console.log(line));
  /** The last evaluation line per remote: a line is printed when it changes. */
  const lastLine = new Map<RemoteName, string>();
  /** Failures being said: each is logged when it starts and when it ends. */
  const failing = new Set<string>();
  const deliveries = new Set<Promise<boolean>>();
  const aborting = new AbortController();
  let queue: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopped = false;

  function failed(key: string, message: string): void {
    if (failing.has(key)) return;
    failing.add(key);
    log(`guard: ${message}; trying again every ${options.intervalMs} ms`);
  }

  function recovered(key: string, message: string): void {
    if (failing.delete(key)) log(`guard: ${message}`);
  }

  function tell(owner: Owner, body: WebhookBody): void {
    const url = options.webhooks[owner];
    if (!url) {
      log(`guard: ${owner} has no webhook (${ownerVariable('INBOX_WEBHOOK_', owner)}): the rollback is in the registry only`);
      return;
    }
    const sending = deliver(url, owner, body, { ...options.delivery, signal: aborting.signal, log }).finally(() => deliveries.delete(sending));
    deliveries.add(sending);
  }

  async function judgeCanary(remote: RemoteName, entry: RemoteReleases, canary: Canary): Promise<void> {
    const owner = ZONE_SPECS[remote].owner;
    const end = new Date();
    const since = Date.parse(canary.since);
    const start = new Date(Math.min(end.getTime(), Math.max(Number.isNaN(since) ? 0 : since, end.getTime() - options.windowMs)));
    let counts: ReadonlyMap<string, ReleaseCounts>;
    try {
      // A canary started this very millisecond (or on a clock ahead of ours) has no window yet.
      counts = start < end ? await options.health.countsByRelease(owner, start, end) : new Map();
    } catch (error) {
      failed(`health:${owner}`, `cannot read ${owner}'s release health: ${(error as Error).message}`);
      return;
    }
    recovered(`health:${owner}`, `${owner}'s release health can be read again`);

    const canaryRelease = releaseName({ remote, version: canary.version });
    const liveRelease = entry.live === null ? null : releaseName({ remote, version: entry.live });
    const canaryCounts = counts.get(canaryRelease) ?? NO_COUNTS;
    const liveCounts = (liveRelease === null ? undefined : counts.get(liveRelease)) ?? NO_COUNTS;
    const verdict = judge({ release: canaryRelease, ...canaryCounts }, { release: liveRelease, ...liveCounts }, options.rule);
    const line =
      `guard: ${remote} canary=${canaryRelease} ${canary.percent}% canary_sessions=${canaryCounts.sessions} ` +
      `canary_failed=${canaryCounts.failed} live=${liveRelease ?? 'none'} live_sessions=${liveCounts.sessions} ` +
      `live_failed=${liveCounts.failed} decision=${verdict.decision}`;
    if (lastLine.get(remote) !== line) {
      lastLine.set(remote, line);
      log(line);
    }
    if (verdict.decision !== 'rollback') return;

    const figures = figuresOf(canary, canaryRelease, liveRelease, { canary: canaryCounts, live: liveCounts }, verdict, { start, end }, options.rule);
    let move;
    try {
      move = await endCanary(options.store, remote, { by: 'guard', onlyIf: canary.version, reason: verdict.reason, figures });
    } catch (error) {
      failed(`rollback:${remote}`, `cannot roll back ${canaryRelease} in ${options.store.location}: ${(error as Error).message}`);
      return;
    }
    recovered(`rollback:${remote}`, `${options.store.location} can be written again`);
    if (move === null) {
      log(`guard: ${canaryRelease} is no longer ${remote}'s canary: nothing to roll back`);
      return;
    }
    log(`guard: rolled back ${canaryRelease}: ${verdict.reason}`);
    tell(owner, rollbackMessage({ remote, owner, canary: canaryRelease, percent: canary.percent, live: liveRelease, reason: verdict.reason, figures }));
  }

  async function evaluateOnce(): Promise<void> {
    let registry;
    try {
      registry = await options.store.read();
    } catch (error) {
      failed('registry', `cannot read the registry ${options.store.location}: ${(error as Error).message}`);
      return;
    }
    recovered('registry', `the registry ${options.store.location} can be read again`);
    for (const remote of REMOTE_NAMES) {
      const entry = registry[remote];
      if (!entry?.canary) {
        // The next canary's first evaluation is always said.
        lastLine.delete(remote);
        continue;
      }
      await judgeCanary(remote, entry, entry.canary);
    }
  }

  function evaluate(): Promise<void> {
    queue = queue.then(evaluateOnce).catch((error: unknown) => {
      // A bug, not a failure to read: say it every time, keep going.
      log(`guard: evaluation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
    return queue;
  }

  function tick(): void {
    timer = undefined;
    void evaluate().then(() => {
      if (!stopped) timer = setTimeout(tick, options.intervalMs);
    });
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      timer = setTimeout(tick, 0);
    },
    evaluate,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await queue;
      const grace = new Promise<void>((resolve) => setTimeout(resolve, options.stopGraceMs ?? 3_000).unref());
      await Promise.race([Promise.allSettled([...deliveries]), grace]);
      aborting.abort();
      await Promise.allSettled([...deliveries]);
    },
  };
}
