import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusal } from './fixtures/refusal.ts';
import { bucketOf, newVisitorId } from './index.ts';
import {
  chooseRelease,
  endingCanary,
  MOVES_KEPT,
  movingLive,
  parseRegistry,
  promotingCanary,
  registering,
  serializeRegistry,
  startingCanary,
  type Registry,
} from './model.ts';

/** shop 1.0.0 live at :3001, 1.2.0 registered at :3012, 1.1.0 at :3011. */
function shopRegistry(): Registry {
  let registry: Registry = {};
  registry = registering(registry, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' }).registry;
  registry = registering(registry, 'shop', '1.1.0', 'http://localhost:3011', { live: 'if-none', by: 'start' }).registry;
  return registering(registry, 'shop', '1.2.0', 'http://localhost:3012', { live: 'never', by: 'start' }).registry;
}

function withCanary(percent: number, version = '1.2.0'): Registry {
  return startingCanary(shopRegistry(), 'shop', version, percent, 'test', 'test').registry;
}

describe('registry text', () => {
  it('reads back what it writes, canary and moves included', () => {
    const registry = endingCanary(withCanary(25), 'shop', { by: 'guard', reason: 'failed 12/40', figures: { canary_sessions: 40, z: '2.576' } }).registry;
    const again = startingCanary(registry, 'shop', '1.1.0', 10, 'test', 'test').registry;
    const text = serializeRegistry(again);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(parseRegistry(text), again);
  });

  it('reads registries written before canaries existed: no canary, moves without a kind', () => {
    const old = '{"shop": {"live": "1.0.0", "releases": {"1.0.0": {"origin": "http://localhost:3001", "registeredAt": ""}}, "moves": [{"from": null, "to": "1.0.0", "at": "2026-11-30T19:57:18.405Z", "by": "dev of shop@1.0.0"}]}}';
    const shop = parseRegistry(old).shop;
    assert.equal(shop?.canary, null);
    assert.equal(shop?.moves[0]?.kind, undefined);
  });

  it('rejects malformed registries with a reason that says where', () => {
    const release = '"releases": {"1.0.0": {"origin": "http://a"}, "1.2.0": {"origin": "http://b"}}';
    const canary = (value: string, live = '"1.0.0"') => `{"shop": {"live": ${live}, ${release}, "canary": ${value}}}`;
    const since = '"since": "2026-12-01T00:00:00.000Z", "by": "t"';
    const cases: [string, RegExp][] = [
      ['{', /^here is not JSON/],
      ['[]', /^here must hold an object of remotes/],
      ['{"home": {"releases": {}}}', /^here: "home" is not a remote/],
      ['{"shop": {}}', /^here: shop needs "releases"/],
      ['{"shop": {"releases": {"../x": {"origin": "http://a"}}}}', /not a valid version/],
      ['{"shop": {"releases": {"1.0.0": {"origin": "http://a/path"}}}}', /needs an "origin"/],
      ['{"shop": {"live": "2.0.0", "releases": {"1.0.0": {"origin": "http://a"}}}}', /live release "2.0.0" is not one of its releases/],
      [canary(`{"version": "9.9.9", "percent": 5, ${since}}`), /^here: shop\.canary: "9\.9\.9" is not one of its releases \(registered: 1\.0\.0, 1\.2\.0\)/],
      [canary(`{"version": "1.0.0", "percent": 5, ${since}}`), /^here: shop\.canary: 1\.0\.0 is the live release/],
      [canary(`{"version": "1.2.0", "percent": 5, ${since}}`, 'null'), /^here: shop\.canary: a canary needs a live release/],
      [canary(`{"version": "1.2.0", "percent": 101, ${since}}`), /^here: shop\.canary: "percent" must be an integer from 0 to 100, not 101/],
      [canary(`{"version": "1.2.0", "percent": 2.5, ${since}}`), /not 2\.5/],
      [canary(`{"version": "1.2.0", "percent": -1, ${since}}`), /not -1/],
      [canary(`{"version": "1.2.0", "percent": "25", ${since}}`), /not "25"/],
      [canary('{"version": "1.2.0", "percent": 25, "since": "yesterday", "by": "t"}'), /"since" must be an ISO time/],
      [canary('"1.2.0"'), /shop\.canary must be null or/],
      [`{"shop": {${release}, "moves": {}}}`, /shop\.moves must be an array/],
      [`{"shop": {${release}, "moves": [{"from": null, "to": "1.0.0", "at": "x", "by": "t"}, {"from": null, "to": 1, "at": "x", "by": "t"}]}}`, /shop\.moves\[1\]: "to" must be a version/],
      [`{"shop": {${release}, "moves": [{"from": null, "to": "1.0.0", "at": "x", "by": "t", "kind": "sideways"}]}}`, /shop\.moves\[0\]: "kind" must be one of/],
      [`{"shop": {${release}, "moves": [{"from": null, "to": "1.0.0", "at": "x", "by": "t", "figures": {"n": [1]}}]}}`, /shop\.moves\[0\]\.figures\.n must be a number or a string/],
    ];
    for (const [text, reason] of cases) assert.throws(() => parseRegistry(text, 'here'), refusal(reason), text);
  });
});

describe('choosing a release for a visitor', () => {
  const visitors = Array.from({ length: 4000 }, newVisitorId);

  it('gives everyone the live release without a canary, and nothing when nothing is live', () => {
    assert.deepEqual(chooseRelease(shopRegistry(), 'shop', visitors[0] ?? null), {
      location: { remote: 'shop', version: '1.0.0', origin: 'http://localhost:3001' },
      rollout: 'live',
    });
    assert.equal(chooseRelease({}, 'shop', visitors[0] ?? null), null);
  });

  it('sends a canary the visitors whose bucket is below its percent, and a visitor without an id the live release', () => {
    const registry = withCanary(30);
    for (const visitor of visitors.slice(0, 200)) {
      const choice = chooseRelease(registry, 'shop', visitor);
      const canary = bucketOf(visitor) < 30;
      assert.equal(choice?.rollout, canary ? 'canary' : 'live');
      assert.equal(choice?.location.origin, canary ? 'http://localhost:3012' : 'http://localhost:3001');
      assert.deepEqual(chooseRelease(registry, 'shop', visitor), choice, 'the same visitor, the same release');
    }
    assert.equal(chooseRelease(registry, 'shop', null)?.rollout, 'live');
  });

  it('splits random visitors near the percent (within 4.5 binomial standard deviations)', () => {
    for (const percent of [0, 1, 10, 25, 50, 90, 100]) {
      const registry = withCanary(percent);
      const onCanary = visitors.filter((visitor) => chooseRelease(registry, 'shop', visitor)?.rollout === 'canary').length;
      const p = percent / 100;
      const expected = visitors.length * p;
      const bound = 4.5 * Math.sqrt(visitors.length * p * (1 - p));
      assert.ok(Math.abs(onCanary - expected) <= bound, `${percent} %: ${onCanary} of ${visitors.length} on the canary`);
    }
  });

  it('keeps the canary visitors it had when the percent rises, and only those when it falls', () => {
    const on = (registry: Registry) => new Set(visitors.filter((visitor) => chooseRelease(registry, 'shop', visitor)?.rollout === 'canary'));
    let registry = withCanary(10);
    const at10 = on(registry);
    registry = startingCanary(registry, 'shop', '1.2.0', 25, 'test', 'test').registry;
    const at25 = on(registry);
    assert.ok(at25.size > at10.size);
    for (const visitor of at10) assert.ok(at25.has(visitor), visitor);
    registry = startingCanary(registry, 'shop', '1.2.0', 5, 'test', 'test').registry;
    for (const visitor of on(registry)) assert.ok(at10.has(visitor), visitor);
  });
});

describe('canary changes', () => {
  it('starts a canary with its percent, time and author, and a move that says so', () => {
    const { registry, result } = startingCanary(shopRegistry(), 'shop', 'shop@1.2.0', 25, 'canary', 'here');
    const shop = registry.shop;
    assert.deepEqual({ ...shop?.canary, since: 'x' }, { version: '1.2.0', percent: 25, since: 'x', by: 'canary' });
    assert.equal(shop?.live, '1.0.0');
    assert.deepEqual([result.kind, result.from, result.to, result.percent, result.by], ['canary', '1.0.0', '1.2.0', 25, 'canary']);
    assert.equal(shop?.moves.at(-1), result);
  });

  it('keeps a canary started when its percent changes, and restarts it for another release', () => {
    const first = withCanary(10);
    const since = first.shop?.canary?.since;
    const raised = startingCanary(first, 'shop', '1.2.0', 50, 'test', 'test').registry;
    assert.equal(raised.shop?.canary?.since, since);
    assert.equal(raised.shop?.canary?.percent, 50);
    const other = startingCanary(raised, 'shop', '1.1.0', 50, 'test', 'test').registry;
    assert.equal(other.shop?.canary?.version, '1.1.0');
  });

  it('refuses an unknown release (naming those registered), the live one, and a percent that is not an integer 0..100', () => {
    assert.throws(() => startingCanary(shopRegistry(), 'shop', '9.9.9', 5, 't', 'here'), refusal(/shop@9\.9\.9 is not a registered release of shop \(registered: 1\.0\.0, 1\.1\.0, 1\.2\.0\)/));
    assert.throws(() => startingCanary({}, 'shop', '9.9.9', 5, 't', 'here'), refusal(/\(none registered in here\)/));
    assert.throws(() => startingCanary(shopRegistry(), 'shop', '1.0.0', 5, 't', 'here'), refusal(/shop@1\.0\.0 is the live release already/));
    for (const percent of [-1, 101, 2.5, Number.NaN]) {
      assert.throws(() => startingCanary(shopRegistry(), 'shop', '1.2.0', percent, 't', 'here'), refusal(/integer from 0 to 100/), String(percent));
    }
    const noLive = registering({}, 'shop', '1.2.0', 'http://localhost:3012', { live: 'never', by: 't' }).registry;
    const unpointed = registering(noLive, 'shop', '1.3.0', 'http://localhost:3013', { live: 'never', by: 't' }).registry;
    assert.throws(() => startingCanary(unpointed, 'shop', '1.2.0', 5, 't', 'here'), refusal(/shop has no live release/));
  });

  it('promotes the canary: live for everyone, canary over', () => {
    const { registry, result } = promotingCanary(withCanary(25), 'shop', 'promote');
    assert.equal(registry.shop?.live, '1.2.0');
    assert.equal(registry.shop?.canary, null);
    assert.deepEqual([result.kind, result.from, result.to, result.percent], ['promote', '1.0.0', '1.2.0', 25]);
    assert.throws(() => promotingCanary(shopRegistry(), 'shop', 'promote'), refusal(/shop has no canary to promote/));
  });

  it('ends a canary with its reason and figures, only the one asked about, and writes nothing when there is none', () => {
    const registry = withCanary(25);
    const other = endingCanary(registry, 'shop', { by: 'guard', onlyIf: 'shop@1.1.0' });
    assert.equal(other.result, null);
    assert.equal(other.registry, registry, 'unchanged: nothing to write');
    const ended = endingCanary(registry, 'shop', { by: 'guard', onlyIf: 'shop@1.2.0', reason: 'failed 12/40', figures: { canary_failed: 12 } });
    assert.equal(ended.registry.shop?.canary, null);
    assert.equal(ended.registry.shop?.live, '1.0.0');
    assert.deepEqual(ended.result, { ...ended.result, kind: 'canary-end', from: '1.2.0', to: '1.0.0', by: 'guard', percent: 25, reason: 'failed 12/40', figures: { canary_failed: 12 } });
    const again = endingCanary(ended.registry, 'shop', { by: 'guard' });
    assert.equal(again.result, null);
    assert.equal(again.registry, ended.registry);
  });

  it('ends any canary when the live pointer moves, and says so in the moves', () => {
    const moved = movingLive(withCanary(25), 'shop', '1.1.0', 'rollback', undefined, 'here');
    const shop = moved.registry.shop;
    assert.equal(shop?.live, '1.1.0');
    assert.equal(shop?.canary, null);
    assert.deepEqual(shop?.moves.slice(-2).map((m) => `${m.kind} ${m.from}→${m.to} ${m.by}`), ['canary-end 1.2.0→1.1.0 rollback', 'live 1.0.0→1.1.0 rollback']);
    assert.equal(moved.result.kind, 'live');
    // Rolling back to the release that is live already only ends the canary.
    const same = movingLive(withCanary(25), 'shop', '1.0.0', 'rollback', 'canary looked wrong', 'here');
    assert.deepEqual([same.result.kind, same.result.reason], ['canary-end', 'canary looked wrong']);
    assert.equal(same.registry.shop?.moves.at(-1), same.result);
  });

  it('remembers the last moves only', () => {
    let registry = shopRegistry();
    for (let i = 0; i < MOVES_KEPT + 10; i++) registry = startingCanary(registry, 'shop', '1.2.0', i % 100, 't', 'here').registry;
    assert.equal(registry.shop?.moves.length, MOVES_KEPT);
    assert.equal(registry.shop?.moves.at(-1)?.percent, MOVES_KEPT + 9);
  });
});
