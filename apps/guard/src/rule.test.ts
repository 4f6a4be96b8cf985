import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_RULE, judge, rollbackChance, rollbackChanceOverCanary, rollsBack, wilson, type ReleaseSample } from './rule.ts';

const canary = (sessions: number, failed: number): ReleaseSample => ({ release: 'shop@1.1.0', sessions, failed });
const live = (sessions: number, failed: number): ReleaseSample => ({ release: 'shop@1.0.0', sessions, failed });

describe('the Wilson score interval at 99 %', () => {
  test('gives the textbook bounds', () => {
    const bounds = wilson(9, 12);
    assert.ok(Math.abs(bounds.lower - 0.3877) < 1e-4, String(bounds.lower));
    assert.ok(Math.abs(bounds.upper - 0.9343) < 1e-4, String(bounds.upper));
  });

  test('has a width at 0 and at n failures, and stays inside [0, 1]', () => {
    assert.deepEqual(wilson(0, 40).lower, 0);
    assert.ok(Math.abs(wilson(0, 40).upper - 0.1423) < 1e-4);
    assert.equal(wilson(10, 10).upper, 1);
    assert.ok(wilson(10, 10).lower > 0.6 && wilson(10, 10).lower < 0.61);
    assert.deepEqual(wilson(0, 0), { lower: 0, upper: 1 });
  });
});

describe('the rule rolls back', () => {
  test('a canary failing on 9 of 12 page views beside a live release at 0 of 40, and says why', () => {
    const verdict = judge(canary(12, 9), live(40, 0));
    assert.equal(verdict.decision, 'rollback');
    assert.equal(
      verdict.reason,
      'shop@1.1.0 failed on 9 of 12 page views (75 %, ≥ 39 % at 99 %), live shop@1.0.0 on 0 of 40 (0 %, ≤ 14 %)',
    );
    assert.equal(verdict.canaryRate, 0.75);
    assert.equal(verdict.liveRate, 0);
    assert.equal(verdict.livePrior, false);
  });

  test('a canary failing on every page view of a 100 % canary, the live release having no traffic (the prior)', () => {
    const verdict = judge(canary(10, 10), live(0, 0));
    assert.equal(verdict.decision, 'rollback');
    assert.equal(verdict.livePrior, true);
    assert.equal(verdict.liveRate, null);
    assert.match(verdict.reason, /live shop@1\.0\.0 had 0 page views, fewer than 10, so it counts as healthy \(≤ 40 %\)$/);
  });

  test('a canary at 8 of 10 or 14 of 20 without live traffic (over the prior’s 40 %)', () => {
    assert.equal(rollsBack(canary(10, 8), live(0, 0)), true);
    assert.equal(rollsBack(canary(20, 14), live(3, 0)), true);
  });

  test('a canary far worse than a live release that also fails', () => {
    assert.equal(judge(canary(40, 30), live(120, 12)).decision, 'rollback');
  });

  test('with no live release at all, against the prior', () => {
    const verdict = judge(canary(10, 10), { release: null, sessions: 0, failed: 0 });
    assert.equal(verdict.decision, 'rollback');
    assert.match(verdict.reason, /live \(none\) had 0 page views/);
  });
});

describe('the rule keeps', () => {
  test('a canary whose one page view failed, however small its sample (one unlucky error)', () => {
    assert.equal(judge(canary(1, 1), live(40, 0)).decision, 'keep');
    const verdict = judge(canary(10, 1), live(40, 0));
    assert.equal(verdict.decision, 'keep');
    assert.equal(verdict.reason, 'shop@1.1.0 failed on 1 of 10 page views, fewer than the 3 failures needed to roll it back');
  });

  test('a canary failing on every page view of a sample below the minimum', () => {
    const verdict = judge(canary(9, 9), live(200, 0));
    assert.equal(verdict.decision, 'keep');
    assert.equal(verdict.reason, 'shop@1.1.0: 9 page views, fewer than the 10 needed to judge it');
    assert.equal(judge(canary(0, 0), live(0, 0)).reason, 'shop@1.1.0: 0 page views, fewer than the 10 needed to judge it');
  });

  test('a canary with the same failed rate as the live release', () => {
    for (const [sessions, failed] of [
      [10, 3],
      [40, 12],
      [400, 120],
    ] as const) {
      const verdict = judge(canary(sessions, failed), live(sessions * 3, failed * 3));
      assert.equal(verdict.decision, 'keep', `${failed}/${sessions}`);
      assert.match(verdict.reason, /not significantly worse$/);
    }
  });

  test('a canary somewhat worse than the live release on few page views', () => {
    assert.equal(judge(canary(20, 4), live(60, 3)).decision, 'keep');
  });

  test('a canary at 7 of 10 without live traffic (under the prior’s bound)', () => {
    const verdict = judge(canary(10, 7), live(9, 0));
    assert.equal(verdict.decision, 'keep');
    assert.equal(verdict.livePrior, true);
  });

  test('minimums come from the options', () => {
    assert.equal(rollsBack(canary(5, 5), live(100, 0), { minSessions: 5, minFailed: 2 }), true);
    assert.equal(rollsBack(canary(5, 5), live(100, 0), DEFAULT_RULE), false);
    assert.equal(rollsBack(canary(10, 2), live(1000, 0), { minSessions: 5, minFailed: 2 }), true);
    assert.equal(rollsBack(canary(10, 2), live(1000, 0), DEFAULT_RULE), false);
  });
});

describe('the odds the rule documents', () => {
  test('one look at two equally healthy releases rolls back under 3 times in 10,000', () => {
    for (const rate of [0.02, 0.05, 0.1, 0.3]) {
      const chance = rollbackChance({ canaryRate: rate, liveRate: rate, canarySessions: 40, liveSessions: 120 });
      assert.ok(chance < 3e-4, `${rate}: ${chance}`);
    }
  });

  test('a healthy 25 % canary judged after each of its first 200 page views is rolled back under 4 times in 1,000', () => {
    for (const rate of [0.05, 0.3]) {
      const chance = rollbackChanceOverCanary({ canaryRate: rate, liveRate: rate, canarySessions: 200, livePerCanary: 3 });
      assert.ok(chance < 4e-3, `${rate}: ${chance}`);
    }
  });

  test('a canary failing on 75 % of page views beside a live one at 0 % goes within 12 page views 99 times in 100, within 20 nearly always', () => {
    const scenario = { canaryRate: 0.75, liveRate: 0, livePerCanary: 3 };
    assert.ok(rollbackChanceOverCanary({ ...scenario, canarySessions: 12 }) > 0.985);
    assert.ok(rollbackChanceOverCanary({ ...scenario, canarySessions: 20 }) > 1 - 1e-5);
  });

  test('the exact chance agrees with the rule at the certain corners', () => {
    assert.equal(rollbackChance({ canaryRate: 1, liveRate: 0, canarySessions: 12, liveSessions: 40 }), 1);
    assert.equal(rollbackChance({ canaryRate: 0, liveRate: 0, canarySessions: 12, liveSessions: 40 }), 0);
  });
});
