import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zoneBuild } from '../testing.ts';
import { UNVERSIONED_ENTRY_HEADERS, withRemoteEntryCache } from './remote-entry-cache.ts';

describe('withRemoteEntryCache', () => {
  it("has browsers check a remote's entry asked for without a release on every load, and only a remote's", async () => {
    const shop = withRemoteEntryCache({}, zoneBuild({ zone: 'shop' }));
    assert.deepEqual(await shop.headers?.(), [
      {
        source: '/_next/static/chunks/remoteEntry.js',
        missing: [{ type: 'query', key: 'v' }],
        headers: [{ key: 'Cache-Control', value: 'no-cache' }],
      },
      {
        source: '/_next/static/ssr/remoteEntry.js',
        missing: [{ type: 'query', key: 'v' }],
        headers: [{ key: 'Cache-Control', value: 'no-cache' }],
      },
    ]);
    assert.equal(withRemoteEntryCache({}, zoneBuild({ zone: 'checkout' })).headers, undefined);
  });

  it("keeps the zone's own headers", async () => {
    const own = { source: '/x', headers: [{ key: 'X-Own', value: '1' }] };
    const shop = withRemoteEntryCache({ headers: async () => [own] }, zoneBuild({ zone: 'shop' }));
    assert.deepEqual(await shop.headers?.(), [own, ...UNVERSIONED_ENTRY_HEADERS]);
  });
});
