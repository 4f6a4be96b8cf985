import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, entryUrl, isValidVersion, newVisitorId, releaseName, versionOf } from './index.ts';

describe('release names', () => {
  it('names releases <owner>@<version>, and unknown without a version', () => {
    assert.equal(releaseName({ remote: 'shop', version: '1.1.0' }), 'shop@1.1.0');
    assert.equal(releaseName({ remote: 'shop', version: null }), 'shop@unknown');
    assert.equal(versionOf('shop', 'shop@1.0.0'), '1.0.0');
    assert.equal(versionOf('shop', '1.0.0'), '1.0.0');
  });

  it('serves each runtime its own entry at the release origin', () => {
    assert.equal(entryUrl({ origin: 'http://localhost:3011' }, 'browser'), 'http://localhost:3011/_next/static/chunks/remoteEntry.js');
    assert.equal(entryUrl({ origin: 'http://localhost:3011' }, 'server'), 'http://localhost:3011/_next/static/ssr/remoteEntry.js');
  });

  it("names the release in its entry's URL, so the URL changes exactly when the release does", () => {
    const location = { remote: 'shop', origin: 'http://localhost:3011' } as const;
    assert.equal(entryUrl({ ...location, version: '1.1.0' }, 'browser'), 'http://localhost:3011/_next/static/chunks/remoteEntry.js?v=1.1.0');
    assert.equal(entryUrl({ ...location, version: '2.0.0+build.7' }, 'server'), 'http://localhost:3011/_next/static/ssr/remoteEntry.js?v=2.0.0%2Bbuild.7');
    assert.equal(entryUrl({ ...location, version: null }, 'browser'), 'http://localhost:3011/_next/static/chunks/remoteEntry.js');
  });

  it('refuses versions that could leave their directory or break a URL', () => {
    for (const good of ['1.0.0', '1.1.0-broken', '2.0.0+build.7']) assert.ok(isValidVersion(good), good);
    for (const bad of ['', '../x', '1..0', 'a/b', '-1', '1 0', 'x'.repeat(65)]) assert.ok(!isValidVersion(bad), bad);
  });
});

describe('visitors and buckets', () => {
  it('names a visitor with 32 lowercase hex digits, a new one each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, newVisitorId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  });

  it('gives a visitor the same bucket, 0..99, every time', () => {
    for (const visitor of [newVisitorId(), newVisitorId(), 'not hex at all', '']) {
      const bucket = bucketOf(visitor);
      assert.ok(Number.isInteger(bucket) && bucket >= 0 && bucket < 100, `${visitor}: ${bucket}`);
      assert.equal(bucketOf(visitor), bucket);
    }
  });

  /** Chi-square of the visitors' buckets against an even spread over 100 buckets. */
  function chiSquare(visitors: readonly string[]): number {
    const counts = new Map<number, number>();
    for (const visitor of visitors) counts.set(bucketOf(visitor), (counts.get(bucketOf(visitor)) ?? 0) + 1);
    const expected = visitors.length / 100;
    let sum = 0;
    for (let bucket = 0; bucket < 100; bucket++) sum += ((counts.get(bucket) ?? 0) - expected) ** 2 / expected;
    return sum;
  }
  // 99 degrees of freedom: the 99.99th percentile is about 157; an uneven hash is far above.
  const CHI_SQUARE_LIMIT = 157;

  it('spreads random visitors evenly over the buckets (chi-square over 20,000)', () => {
    const value = chiSquare(Array.from({ length: 20_000 }, newVisitorId));
    assert.ok(value < CHI_SQUARE_LIMIT, `chi-square ${value.toFixed(1)}`);
  });

  it('spreads sequential and similar ids as evenly as random ones', () => {
    const value = chiSquare(Array.from({ length: 20_000 }, (_, i) => `visitor-${i}`));
    assert.ok(value < CHI_SQUARE_LIMIT, `chi-square ${value.toFixed(1)}`);
  });
});
