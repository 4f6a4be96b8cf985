/**
 * Issues: releases and zones seen per issue (API), and the regression rule (releases.ts).
 */

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { compareVersions, isNewerRelease, parseVersion } from './releases.ts';
import { cleanUp, envelope, errorEvent, listIssues, post, start } from './testing.ts';

afterEach(cleanUp);

describe('issues API', () => {
  it('lists the releases and zones each issue was seen in, in order of first appearance', async () => {
    const run = await start();
    const sends = [
      errorEvent('Order 1 failed', { release: 'shop@1.0.0', tags: { zone: 'home', owner: 'shop' } }),
      errorEvent('Order 2 failed', { release: 'shop@1.1.0', tags: { zone: 'checkout', owner: 'shop' } }),
      errorEvent('Order 3 failed', { release: 'shop@1.0.0', tags: { zone: 'home', owner: 'shop' } }),
      errorEvent('Cart empty', { tags: { owner: 'shop' } }),
    ];
    for (const event of sends) assert.equal((await post(run.url, envelope([event]))).status, 200);
    const issues = await listIssues(run);
    assert.deepEqual(
      issues.map((i) => [i.title, i.count, i.releases, i.zones]),
      [
        ['TypeError: Cart empty', '1', [], []],
        ['TypeError: Order 3 failed', '3', ['shop@1.0.0', 'shop@1.1.0'], ['home', 'checkout']],
      ],
    );
    assert.equal(issues[1]?.permalink, `http://${new URL(run.url).host}/issues/shop/${String(issues[1]?.id)}/`);
    // A search narrows the figures too.
    const narrowed = await listIssues(run, 'shop', `?query=${encodeURIComponent('zone:checkout')}`);
    assert.deepEqual(
      narrowed.map((i) => [i.count, i.releases, i.zones]),
      [['1', ['shop@1.1.0'], ['checkout']]],
    );
  });
});

describe('regressions (releases.ts)', () => {
  it('reads versions with an optional package and pre-release', () => {
    assert.deepEqual(parseVersion('shop@1.4.0'), { pkg: 'shop', numbers: [1, 4, 0], pre: undefined });
    assert.deepEqual(parseVersion('v2.0.0-rc.1+build.5'), { pkg: '', numbers: [2, 0, 0], pre: 'rc.1' });
    assert.equal(parseVersion('8f3c2a1d'), undefined);
    const v = (text: string) => parseVersion(text) ?? assert.fail(text);
    assert.ok(compareVersions(v('1.10.0'), v('1.9.9')) > 0);
    assert.ok(compareVersions(v('1.0.0-rc.1'), v('1.0.0')) < 0);
    assert.ok(compareVersions(v('1.0.0-rc.10'), v('1.0.0-rc.9')) > 0);
    assert.equal(compareVersions(v('1.0'), v('1.0.0')), 0);
  });

  it('calls a release newer when unseen and above every comparable release seen', () => {
    assert.equal(isNewerRelease('shop@1.1.0', ['shop@1.0.0']), true);
    assert.equal(isNewerRelease('shop@1.0.0', ['shop@1.0.0']), false, 'seen before');
    assert.equal(isNewerRelease('shop@0.9.0', ['shop@1.0.0']), false, 'older');
    assert.equal(isNewerRelease('shop@1.0.1', ['shop@1.0.0', 'shop@2.0.0']), false, 'below the highest');
    assert.equal(isNewerRelease('home@0.1.0', ['shop@1.0.0']), true, 'another package compares with nothing');
    assert.equal(isNewerRelease('b1c2d3e', ['a0b1c2d']), true, 'not versions: unseen is enough');
    assert.equal(isNewerRelease('shop@1.0.0', []), true);
  });
});
