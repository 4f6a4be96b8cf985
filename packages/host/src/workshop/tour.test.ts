import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTopology } from '@repo/topology';
import type { ToldEntry } from './told';
import {
  BROKEN_RELEASE_NAME,
  advance,
  isLabPath,
  parseProgress,
  scenarioOfPath,
  stepStatuses,
  tourSteps,
  type PageViewFacts,
  type TourProgress,
} from './tour';

const { zones } = resolveTopology({});
const checkout = zones.checkout;

function told(project: ToldEntry['project'], fields: Partial<ToldEntry> = {}): ToldEntry {
  return {
    eventId: `${project}-1`,
    project,
    runtime: 'browser',
    release: null,
    title: 'Error',
    received: '2026-01-01T00:00:00Z',
    url: `http://localhost:9000/events/${project}/${project}-1`,
    ...fields,
  };
}

const facts = (fields: Partial<PageViewFacts>): PageViewFacts => ({
  path: '/lab',
  showOwners: false,
  release: 'shop@1.0.0',
  told: [],
  ...fields,
});

describe('the tour', () => {
  it('goes from the owners view through every scenario to the outage, the broken release and the rollback', () => {
    assert.deepEqual(
      tourSteps(checkout).map((step) => step.id),
      ['owners', 'render', 'event', 'async', 'ssr', 'zone-render', 'zone-ssr', 'remote-down', 'broken-release', 'rollback'],
    );
    const steps = tourSteps(checkout);
    assert.equal(steps.find((s) => s.id === 'zone-render')?.see.includes("checkout's project"), true);
    assert.equal(steps.find((s) => s.id === 'broken-release')?.command, 'npm run deploy -- shop 1.1.0 --defect header');
    for (const step of steps) assert.ok(step.act && step.see && step.why, `${step.id} says what to do, what to see and why`);
  });

  it('knows lab pages and the scenario of each', () => {
    assert.equal(scenarioOfPath('/lab/ssr')?.id, 'ssr');
    assert.equal(scenarioOfPath('/lab/zone-ssr/')?.id, 'zone-ssr');
    assert.equal(scenarioOfPath('/lab'), undefined);
    assert.equal(scenarioOfPath('/lab/nothing'), undefined);
    assert.equal(isLabPath('/lab'), true);
    assert.equal(isLabPath('/lab/render'), true);
    assert.equal(isLabPath('/laboratory'), false);
    assert.equal(isLabPath('/'), false);
  });
});

describe('a tour step checks itself', () => {
  it('is done when the owners view is on', () => {
    assert.ok(advance({}, facts({ showOwners: true }), checkout).owners);
  });

  it("is done when its scenario's page view reached the expected team, not another one", () => {
    assert.equal(advance({}, facts({ path: '/lab/render', told: [told('checkout')] }), checkout).render, undefined);
    const done = advance({}, facts({ path: '/lab/render', told: [told('shop', { release: 'shop@1.0.0' })] }), checkout).render;
    assert.deepEqual(done, { detail: "shop's project got it from the browser, shop@1.0.0", url: 'http://localhost:9000/events/shop/shop-1' });
    // This zone's own failure belongs to this zone's team.
    assert.ok(advance({}, facts({ path: '/lab/zone-render', told: [told('checkout')] }), checkout)['zone-render']);
    assert.equal(advance({}, facts({ path: '/lab/zone-render', told: [told('shop')] }), checkout)['zone-render'], undefined);
    assert.ok(advance({}, facts({ path: '/lab/zone-render', told: [told('home')] }), zones.home)['zone-render']);
  });

  it('waits while nothing arrived, and returns the same progress when nothing changed', () => {
    const progress: TourProgress = { owners: { detail: 'owners shown' } };
    assert.equal(advance(progress, facts({ path: '/lab/event', showOwners: true }), checkout), progress);
  });

  it('sees the broken release only when this page rendered it and shop got its error', () => {
    const onBroken = facts({ release: BROKEN_RELEASE_NAME });
    assert.equal(advance({}, onBroken, checkout)['broken-release'], undefined);
    assert.equal(advance({}, { ...onBroken, told: [told('shop', { release: 'shop@1.0.0' })] }, checkout)['broken-release'], undefined);
    const broken = advance({}, { ...onBroken, told: [told('shop', { release: BROKEN_RELEASE_NAME, runtime: 'server' })] }, checkout);
    assert.equal(broken['broken-release']?.detail, `shop's project got it from the server, ${BROKEN_RELEASE_NAME}`);
    // Not rolled back while this page still renders the broken release.
    assert.equal(broken.rollback, undefined);
    assert.equal(advance(broken, onBroken, checkout), broken);
    assert.deepEqual(advance(broken, facts({ release: 'shop@1.0.0' }), checkout).rollback, { detail: 'this page rendered shop@1.0.0' });
  });

  it('does not count a rollback before the broken release was seen', () => {
    assert.equal(advance({}, facts({ release: 'shop@1.0.0' }), checkout).rollback, undefined);
  });

  it('marks the first open step as next', () => {
    const steps = tourSteps(checkout);
    const statuses = stepStatuses(steps, { owners: { detail: 'x' }, event: { detail: 'y' } });
    assert.deepEqual(statuses.slice(0, 4), ['done', 'next', 'done', 'todo']);
  });
});

describe('stored progress', () => {
  it('reads back what was stored, and nothing from what it cannot read', () => {
    const progress: TourProgress = { owners: { detail: 'owners shown' }, ssr: { detail: 'd', url: 'u' } };
    assert.deepEqual(parseProgress(JSON.stringify(progress)), progress);
    assert.deepEqual(parseProgress(null), {});
    assert.deepEqual(parseProgress('{'), {});
    assert.deepEqual(parseProgress('[1]'), {});
    assert.deepEqual(parseProgress(JSON.stringify({ nonsense: { detail: 'x' }, render: { detail: 3 }, event: null })), {});
  });
});
