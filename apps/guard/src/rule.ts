/**
 * The guard's decision rule: is a canary significantly worse than the live release it runs
 * beside? Pure, so every figure that must and must not roll back is a unit test.
 *
 * The measure is the share of **failed sessions**: one session per page view that rendered the
 * remote's modules, failed when the remote's code failed during it (errored, crashed or abnormal
 * in Sentry's terms). A share of page views, not a count of errors, so one page that throws in a
 * loop weighs as one page view, and the canary's smaller traffic is compared fairly with the
 * live release's.
 *
 * The rule, over the same window for both releases (the canary's sessions since it started, at
 * most the last `GUARD_WINDOW_S`):
 *
 * 1. **A minimum.** The canary has at least `minSessions` sessions (default 10) and at least
 *    `minFailed` failed ones (default 3). One unlucky error never rolls back, however few page
 *    views there were; and no rate is judged on a handful of page views.
 * 2. **Significantly worse.** The lower bound of the canary's failed rate is above the upper
 *    bound of the live release's, both the Wilson score interval at 99 % (z = 2.576).
 * 3. **A prior for a quiet live release.** When the live release has fewer than `minSessions`
 *    sessions in the window (a 100 % canary, or a fresh start), its upper bound is that of 0
 *    failures in `minSessions` sessions (≈ 40 % with the defaults): "a healthy release", so a
 *    canary is rolled back without live traffic only when it fails on well over 40 % of its
 *    page views (8 of 10 or 14 of 20 do, 7 of 10 does not).
 *
 * Why Wilson: the plain interval p ± z·√(p(1−p)/n) collapses to zero width at 0 % and 100 %
 * and overshoots [0, 1] on small samples, which is exactly where a guard decides (a canary that
 * fails on every page view; a live release with no failure). Wilson's interval stays inside
 * [0, 1], has a width at 0 and n, and keeps close to its nominal coverage down to a few sessions.
 *
 * Why two intervals that do not overlap: it needs no pooled variance and reads in one line ("at
 * least 39 % against at most 14 %"), which is what the owner gets told. It is conservative: with
 * equal sample sizes it amounts to a test at about z·√2 ≈ 3.6 standard errors.
 *
 * False-rollback odds (both releases equally healthy), computed exactly by `rollbackChance` and
 * `rollbackChanceOverCanary` below and checked in rule.test.ts: at one look with 40 canary and
 * 120 live sessions, under 3 in 10,000 for a 2 %, 5 %, 10 % or 30 % failed rate; over a whole
 * 25 % canary judged after every one of its first 200 page views (more looks than the guard
 * takes: it looks every `GUARD_INTERVAL_MS`, and only new sessions change the figures), under 4
 * in 1,000 at a 5 % or a 30 % rate. The price is a few page views: a canary failing on 75 % of
 * them beside a live release at 0 % is rolled back within its first 12 page views 99 times in
 * 100, and within 20 all but 4 times in a million.
 */

/** z for a two-sided 99 % interval. */
export const Z_99 = 2.576;

export interface RuleOptions {
  /** Sessions the canary needs in the window before it is judged. */
  readonly minSessions: number;
  /** Failed sessions the canary needs before it can be rolled back. */
  readonly minFailed: number;
  /** The interval's z; 2.576 (99 %) unless a test says otherwise. */
  readonly z?: number;
}

export const DEFAULT_RULE: RuleOptions = { minSessions: 10, minFailed: 3 };

/** A release's sessions in the window. */
export interface ReleaseSample {
  /** `shop@1.1.0`; null for "no live release" (the canary is all there is). */
  readonly release: string | null;
  readonly sessions: number;
  /** Errored, crashed or abnormal sessions. */
  readonly failed: number;
}

export interface Bounds {
  readonly lower: number;
  readonly upper: number;
}

/** The Wilson score interval of `failed` of `sessions` at `z`; [0, 1] without sessions. */
export function wilson(failed: number, sessions: number, z = Z_99): Bounds {
  if (sessions <= 0) return { lower: 0, upper: 1 };
  const p = failed / sessions;
  const z2 = z * z;
  const scale = 1 + z2 / sessions;
  const center = (p + z2 / (2 * sessions)) / scale;
  const half = (z / scale) * Math.sqrt((p * (1 - p)) / sessions + z2 / (4 * sessions * sessions));
  // At 0 and n failures one bound is exactly 0 or 1; floating point leaves 1e-17 either side.
  return {
    lower: failed <= 0 ? 0 : Math.max(0, center - half),
    upper: failed >= sessions ? 1 : Math.min(1, center + half),
  };
}

export type Decision = 'keep' | 'rollback';

export interface Verdict {
  readonly decision: Decision;
  /** In words, with the figures: the webhook's and the move's reason. */
  readonly reason: string;
  /** The canary's failed share; null without sessions. */
  readonly canaryRate: number | null;
  readonly canaryLower: number;
  readonly liveRate: number | null;
  /** The live release's upper bound, or the prior's when it had too few sessions. */
  readonly liveUpper: number;
  /** Whether the live release had too few sessions and the prior stood in for it. */
  readonly livePrior: boolean;
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}

function views(count: number): string {
  return `${count} page view${count === 1 ? '' : 's'}`;
}

type Counts = Pick<ReleaseSample, 'sessions' | 'failed'>;

/** The canary's lower bound and the live release's upper bound (or the prior's) as the rule takes them. */
function ruleBounds(canary: Counts, live: Counts, options: RuleOptions): { canaryLower: number; liveUpper: number; livePrior: boolean } {
  const z = options.z ?? Z_99;
  const livePrior = live.sessions < options.minSessions;
  return {
    canaryLower: wilson(canary.failed, canary.sessions, z).lower,
    liveUpper: livePrior ? wilson(0, options.minSessions, z).upper : wilson(live.failed, live.sessions, z).upper,
    livePrior,
  };
}

/** The rule, figures only. */
export function rollsBack(canary: Counts, live: Counts, options: RuleOptions = DEFAULT_RULE): boolean {
  if (canary.sessions < options.minSessions || canary.failed < options.minFailed) return false;
  const { canaryLower, liveUpper } = ruleBounds(canary, live, options);
  return canaryLower > liveUpper;
}

/** Applies the rule to a canary and the live release over the same window, with its reason in words. */
export function judge(canary: ReleaseSample, live: ReleaseSample, options: RuleOptions = DEFAULT_RULE): Verdict {
  const canaryName = canary.release ?? 'the canary';
  const liveName = live.release ?? '(none)';
  const canaryRate = canary.sessions > 0 ? canary.failed / canary.sessions : null;
  const liveRate = live.sessions > 0 ? live.failed / live.sessions : null;
  const bounds = ruleBounds(canary, live, options);
  const { canaryLower, liveUpper, livePrior } = bounds;
  const figures = { canaryRate, liveRate, ...bounds };
  const decision: Decision = rollsBack(canary, live, options) ? 'rollback' : 'keep';

  if (canary.sessions < options.minSessions) {
    return { ...figures, decision, reason: `${canaryName}: ${views(canary.sessions)}, fewer than the ${options.minSessions} needed to judge it` };
  }
  if (canary.failed < options.minFailed) {
    return {
      ...figures,
      decision,
      reason: `${canaryName} failed on ${canary.failed} of ${views(canary.sessions)}, fewer than the ${options.minFailed} failures needed to roll it back`,
    };
  }
  const canaryPart = `${canaryName} failed on ${canary.failed} of ${views(canary.sessions)} (${percent(canaryRate ?? 0)}, ≥ ${percent(canaryLower)} at 99 %)`;
  const livePart = livePrior
    ? `live ${liveName} had ${views(live.sessions)}, fewer than ${options.minSessions}, so it counts as healthy (≤ ${percent(liveUpper)})`
    : `live ${liveName} on ${live.failed} of ${live.sessions} (${percent(liveRate ?? 0)}, ≤ ${percent(liveUpper)})`;
  return { ...figures, decision, reason: decision === 'rollback' ? `${canaryPart}, ${livePart}` : `${canaryPart}, ${livePart}: not significantly worse` };
}

function binomial(n: number, p: number): Float64Array {
  // Built by convolution (n steps of one trial), which stays exact enough without factorials.
  let row: Float64Array = new Float64Array([1]);
  for (let i = 0; i < n; i++) row = addTrial(row, p);
  return row;
}

function addTrial(row: Float64Array, p: number): Float64Array {
  const next = new Float64Array(row.length + 1);
  for (let k = 0; k < row.length; k++) {
    const mass = row[k] ?? 0;
    next[k] = (next[k] ?? 0) + mass * (1 - p);
    next[k + 1] = (next[k + 1] ?? 0) + mass * p;
  }
  return next;
}

/**
 * For each count of canary failures, how many live failure counts (0, 1, … below it) roll back:
 * the live bound grows with its failures, so the set is a prefix, and the canary's bound grows
 * with its own, so the prefixes only lengthen.
 */
function rollbackPrefixes(canarySessions: number, liveSessions: number, options: RuleOptions): Int32Array {
  const prefixes = new Int32Array(canarySessions + 1);
  let liveFailed = 0;
  for (let failed = 0; failed <= canarySessions; failed++) {
    const canary = { sessions: canarySessions, failed };
    while (liveFailed <= liveSessions && rollsBack(canary, { sessions: liveSessions, failed: liveFailed }, options)) liveFailed += 1;
    prefixes[failed] = liveFailed;
  }
  return prefixes;
}

export interface Scenario {
  /** The canary's true failed rate. */
  readonly canaryRate: number;
  /** The live release's true failed rate. */
  readonly liveRate: number;
}

/** The exact chance that one look at `canarySessions` and `liveSessions` sessions rolls back. */
export function rollbackChance(
  scenario: Scenario & { readonly canarySessions: number; readonly liveSessions: number },
  options: RuleOptions = DEFAULT_RULE,
): number {
  const canary = binomial(scenario.canarySessions, scenario.canaryRate);
  const live = binomial(scenario.liveSessions, scenario.liveRate);
  const prefixes = rollbackPrefixes(scenario.canarySessions, scenario.liveSessions, options);
  let chance = 0;
  for (let failed = 0; failed < canary.length; failed++) {
    let liveMass = 0;
    for (let liveFailed = 0; liveFailed < (prefixes[failed] ?? 0); liveFailed++) liveMass += live[liveFailed] ?? 0;
    chance += (canary[failed] ?? 0) * liveMass;
  }
  return chance;
}

/**
 * The exact chance that a canary is rolled back at some point of its first `canarySessions`
 * page views when the rule looks after every one of them, with `livePerCanary` live page views
 * beside each (3 for a 25 % canary): the sequential, many-looks risk, an upper bound for a guard
 * that looks less often.
 */
export function rollbackChanceOverCanary(
  scenario: Scenario & { readonly canarySessions: number; readonly livePerCanary: number },
  options: RuleOptions = DEFAULT_RULE,
): number {
  const { canaryRate, liveRate, canarySessions, livePerCanary } = scenario;
  // mass[c][l]: the chance of c canary and l live failures so far with no rollback yet.
  let mass: Float64Array[] = [new Float64Array([1])];
  let rolledBack = 0;
  for (let step = 1; step <= canarySessions; step++) {
    const liveSessions = step * livePerCanary;
    const next: Float64Array[] = [];
    for (let c = 0; c <= step; c++) next.push(new Float64Array(liveSessions + 1));
    mass.forEach((row, c) => {
      // One more canary session, then `livePerCanary` live ones.
      let spread: Float64Array = row;
      for (let i = 0; i < livePerCanary; i++) spread = addTrial(spread, liveRate);
      for (let l = 0; l < spread.length; l++) {
        const value = spread[l] ?? 0;
        if (value === 0) continue;
        const stay = next[c];
        const fail = next[c + 1];
        if (stay) stay[l] = (stay[l] ?? 0) + value * (1 - canaryRate);
        if (fail) fail[l] = (fail[l] ?? 0) + value * canaryRate;
      }
    });
    const prefixes = rollbackPrefixes(step, liveSessions, options);
    next.forEach((row, c) => {
      for (let l = 0; l < (prefixes[c] ?? 0); l++) {
        rolledBack += row[l] ?? 0;
        row[l] = 0;
      }
    });
    mass = next;
  }
  return rolledBack;
}
