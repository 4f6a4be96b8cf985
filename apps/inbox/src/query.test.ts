import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from './json.ts';
import { QueryError, matchesQuery, parseQuery } from './query.ts';
import type { StoredEvent } from './store.ts';

function stored(event: JsonObject): StoredEvent {
  return {
    projectId: 2,
    projectSlug: 'shop',
    eventId: '0'.repeat(32),
    publicKey: 'k',
    keySource: 'query',
    envelopeDsn: null,
    received: '2025-01-01T00:00:00.000Z',
    event,
  };
}

const event = stored({
  message: 'Cart exploded',
  environment: 'test',
  release: 'shop@1.2.3',
  tags: { owner: 'shop', run: 'abc123', zone: 'home', note: 'two words' },
});

function matches(query: string): boolean {
  return matchesQuery(parseQuery(query), event);
}

describe('query', () => {
  it('ANDs key:value tag terms', () => {
    assert.equal(matches('run:abc123 owner:shop'), true);
    assert.equal(matches('run:abc123 owner:home'), false);
    assert.equal(matches(''), true);
  });

  it('matches the tags Sentry derives from fields', () => {
    assert.equal(matches('environment:test release:shop@1.2.3 level:error'), true);
  });

  it('supports quotes, wildcards, negation, has: and is:unresolved', () => {
    assert.equal(matches('note:"two words"'), true);
    assert.equal(matches('run:abc*'), true);
    assert.equal(matches('run:*xyz'), false);
    assert.equal(matches('!owner:home'), true);
    assert.equal(matches('!owner:shop'), false);
    assert.equal(matches('has:zone !has:missing'), true);
    assert.equal(matches('missing:""'), true);
    assert.equal(matches('is:unresolved'), true);
    assert.equal(matches('is:resolved'), false);
  });

  it('finds free text in the title and message, case-insensitively', () => {
    assert.equal(matches('exploded'), true);
    assert.equal(matches('"cart EXPLODED"'), true);
    assert.equal(matches('imploded'), false);
  });

  it("reads trace: as the event's trace id, in any case, and refuses anything else", () => {
    const traceId = 'ab'.repeat(16);
    const traced = stored({ message: 'x', contexts: { trace: { trace_id: traceId.toUpperCase(), span_id: 'cd'.repeat(8) } } });
    assert.deepEqual(parseQuery(`trace:${traceId.toUpperCase()}`), [{ kind: 'trace', traceId, negated: false }]);
    assert.equal(matchesQuery(parseQuery(`trace:${traceId}`), traced), true);
    assert.equal(matchesQuery(parseQuery(`trace:${'ef'.repeat(16)}`), traced), false);
    assert.equal(matchesQuery(parseQuery('has:trace'), traced), true);
    assert.equal(matches('has:trace'), false);
    assert.equal(matches('trace:""'), true);
    assert.throws(() => parseQuery('trace:abc'), /give 32 hex digits/);
    assert.throws(() => parseQuery(`trace:${traceId.slice(1)}*`), QueryError);
  });

  it('refuses what it cannot read', () => {
    assert.throws(() => parseQuery('run:"unterminated'), QueryError);
  });

  it('reads values containing colons', () => {
    assert.deepEqual(parseQuery('url:http://localhost:3001/cart'), [
      { kind: 'tag', key: 'url', value: 'http://localhost:3001/cart', negated: false },
    ]);
  });
});
