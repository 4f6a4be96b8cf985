import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MULTIPLEXED_TRANSPORT_EXTRA_KEY, type Event, type StackFrame } from '@sentry/core';
import { OwnedError } from './owned-error';
import { ownerFromFrames, routeToOwner, runOf, type RoutingContext } from './ownership';

const context: RoutingContext = {
  zone: 'checkout',
  release: 'checkout@1.0.0',
  dsns: { home: 'http://h@localhost:9000/1', shop: 'http://s@localhost:9000/2', checkout: 'http://c@localhost:9000/3' },
};

const shopFrame: StackFrame = {
  filename: 'http://localhost:3001/_next/static/chunks/__federation_expose_BrokenComponent.js',
  function: 'BrokenComponent',
  module_metadata: { owner: 'shop', release: 'shop@2.1.0' },
};
const hostFrame: StackFrame = { filename: 'http://localhost:3002/_next/static/chunks/pages/lab.js', function: 'Lab' };

function errorEvent(frames: StackFrame[][], url = 'http://localhost:3002/lab/render?run=abc'): Event {
  return {
    exception: { values: frames.map((f, i) => ({ type: 'Error', value: `e${i}`, stacktrace: { frames: f } })) },
    request: { url },
  };
}

describe('ownerFromFrames', () => {
  it('takes the top-most owned frame of the thrown error (the last value)', () => {
    // React's boundary wrapper first (host frames only), the thrown error last.
    const event = errorEvent([[hostFrame], [hostFrame, shopFrame]]);
    assert.deepEqual(ownerFromFrames(event), { owner: 'shop', release: 'shop@2.1.0' });
  });

  it('finds no owner when no frame carries metadata', () => {
    assert.equal(ownerFromFrames(errorEvent([[hostFrame]])), undefined);
  });

  it('ignores metadata that is not an owner of this topology', () => {
    const bogus = { ...shopFrame, module_metadata: { owner: 'mallory', release: 'x' } };
    assert.equal(ownerFromFrames(errorEvent([[bogus]])), undefined);
  });
});

describe('routeToOwner', () => {
  it("routes shop's error to shop's DSN with shop's release, tagged with the running zone", () => {
    const event = routeToOwner(errorEvent([[hostFrame, shopFrame]]), context);
    assert.equal(event.release, 'shop@2.1.0');
    assert.deepEqual(event.tags, { owner: 'shop', zone: 'checkout', run: 'abc' });
    assert.deepEqual(event.extra?.[MULTIPLEXED_TRANSPORT_EXTRA_KEY], [
      { dsn: 'http://s@localhost:9000/2', release: 'shop@2.1.0' },
    ]);
  });

  it("keeps the zone's own error on the zone's own transport and release", () => {
    const event = routeToOwner(errorEvent([[hostFrame]], 'http://localhost:3002/lab/zone-render'), context);
    assert.equal(event.release, 'checkout@1.0.0');
    assert.deepEqual(event.tags, { owner: 'checkout', zone: 'checkout' });
    assert.equal(event.extra?.[MULTIPLEXED_TRANSPORT_EXTRA_KEY], undefined);
  });

  it('honours an explicit owner tag when no frame can tell (a remote that never loaded)', () => {
    const event = routeToOwner({ ...errorEvent([[hostFrame]]), tags: { owner: 'shop' } }, context);
    assert.equal(event.tags?.owner, 'shop');
    assert.equal(event.release, 'shop@unknown');
    assert.deepEqual(event.extra?.[MULTIPLEXED_TRANSPORT_EXTRA_KEY], [
      { dsn: 'http://s@localhost:9000/2', release: 'shop@unknown' },
    ]);
  });

  it('takes the release an OwnedError names (the remote release that did not load)', () => {
    const error = new OwnedError('shop', 'shop@1.1.0 did not load', { release: 'shop@1.1.0' });
    const event = routeToOwner(errorEvent([[hostFrame]]), context, { originalException: error });
    assert.equal(event.tags?.owner, 'shop');
    assert.equal(event.release, 'shop@1.1.0');
    assert.deepEqual(event.extra?.[MULTIPLEXED_TRANSPORT_EXTRA_KEY], [
      { dsn: 'http://s@localhost:9000/2', release: 'shop@1.1.0' },
    ]);
  });

  it("ignores a named release that is not the owner's", () => {
    const error = new OwnedError('shop', 'odd', { release: 'checkout@9.9.9' });
    const event = routeToOwner(errorEvent([[hostFrame]]), context, { originalException: error });
    assert.equal(event.release, 'shop@unknown');
  });
});

describe('runOf', () => {
  it('reads the run query parameter of the page URL', () => {
    assert.equal(runOf({ request: { url: 'http://localhost:3000/lab/ssr?x=1&run=r-42' } }), 'r-42');
    assert.equal(runOf({ request: { url: '/lab/ssr?run=rel' } }), 'rel');
    assert.equal(runOf({ request: { url: 'http://localhost:3000/lab' } }), undefined);
    assert.equal(runOf({}), undefined);
  });
});
