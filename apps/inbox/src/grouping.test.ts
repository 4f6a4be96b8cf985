import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupIdOf, groupingKey, issuesOf, normalizeIds, shortId } from './grouping.ts';
import type { JsonObject } from './json.ts';
import type { StoredEvent } from './store.ts';

let next = 0;
function stored(event: JsonObject, projectId = 2): StoredEvent {
  next += 1;
  return {
    projectId,
    projectSlug: 'shop',
    eventId: next.toString(16).padStart(32, '0'),
    publicKey: 'k',
    keySource: 'query',
    envelopeDsn: null,
    received: new Date(Date.UTC(2025, 0, 1, 0, 0, next)).toISOString(),
    event,
  };
}

function error(value: string, fn = 'onClick', extra: JsonObject = {}): JsonObject {
  return {
    exception: {
      values: [
        {
          type: 'Error',
          value,
          stacktrace: {
            frames: [
              { filename: 'node_modules/react.js', function: 'callCallback', in_app: false },
              { filename: 'app://pages/cart.tsx', function: fn, in_app: true },
              { filename: 'node_modules/lib.js', function: 'throwIt', in_app: false },
            ],
          },
        },
      ],
    },
    ...extra,
  };
}

describe('grouping', () => {
  it('normalises numbers, hex ids and UUIDs', () => {
    assert.equal(
      normalizeIds('Order 1234 of 0xdeadbeef by 3f2a9c1d7b and 9ec79c33-ec99-42ab-8353-589fcb2e04dc'),
      'Order <int> of <hex> by <hex> and <hex>',
    );
  });

  it('groups by exception type, normalised value and the top in-app frame', () => {
    assert.deepEqual(groupingKey(error('Order 12 failed')), ['exception', 'Error', 'Order <int> failed', 'app://pages/cart.tsx:onClick']);
    const a = stored(error('Order 12 failed'));
    const b = stored(error('Order 9876 failed'));
    const c = stored(error('Order 12 failed', 'onSubmit'));
    assert.equal(groupIdOf(a), groupIdOf(b));
    assert.notEqual(groupIdOf(a), groupIdOf(c));
    assert.match(groupIdOf(a), /^\d+$/);
  });

  it('uses the fingerprint when there is one, with {{ default }} standing for the default key', () => {
    const a = stored(error('one', 'f', { fingerprint: ['checkout-failure'] }));
    const b = stored(error('two', 'g', { fingerprint: ['checkout-failure'] }));
    assert.equal(groupIdOf(a), groupIdOf(b));
    assert.deepEqual(groupingKey(error('x', 'f', { fingerprint: ['{{ default }}', 'extra'] })), [
      'fingerprint', 'exception', 'Error', 'x', 'app://pages/cart.tsx:f', 'extra',
    ]);
  });

  it('groups message events by their normalised message', () => {
    assert.equal(groupIdOf(stored({ message: 'took 120 ms' })), groupIdOf(stored({ message: 'took 5 ms' })));
  });

  it('keeps projects apart', () => {
    assert.notEqual(groupIdOf(stored({ message: 'm' }, 1)), groupIdOf(stored({ message: 'm' }, 2)));
  });

  it('counts events and users per issue, newest activity first, numbered by first appearance', () => {
    const events = [
      stored(error('A 1', 'f', { user: { id: 'u1' } })),
      stored({ message: 'B' }),
      stored(error('A 2', 'f', { user: { id: 'u2' } })),
      stored(error('A 3', 'f', { user: { id: 'u1' } })),
    ];
    const issues = issuesOf(events, () => true);
    assert.deepEqual(
      issues.map((i) => [i.number, i.count, i.userCount, i.title]),
      [
        [1, 3, 2, 'Error: A 3'],
        [2, 1, 0, 'B'],
      ],
    );
    assert.equal(issues[0]?.firstSeen, events[0]?.received);
    assert.equal(issues[0]?.lastSeen, events[3]?.received);
    const filtered = issuesOf(events, (e) => e.event.message === 'B');
    assert.deepEqual(filtered.map((i) => [i.number, i.count]), [[2, 1]]);
  });

  it('makes Sentry-style short ids', () => {
    assert.equal(shortId('shop', 1), 'SHOP-1');
    assert.equal(shortId('checkout', 32), 'CHECKOUT-10');
  });
});
