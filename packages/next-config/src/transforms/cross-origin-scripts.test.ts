import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import webpack from 'webpack';
import { runWebpackHook, zoneBuild } from '../testing.ts';
import { REMOTE_ASSET_HEADERS, withCrossOriginScripts } from './cross-origin-scripts.ts';

describe('withCrossOriginScripts', () => {
  it("lets other zones load a remote's static files as CORS scripts and time them, and only a remote's", async () => {
    const shop = withCrossOriginScripts({}, zoneBuild({ zone: 'shop' }));
    assert.deepEqual(await shop.headers?.(), [
      {
        source: '/_next/static/:path*',
        headers: [
          { key: 'Access-Control-Allow-Origin', value: '*' },
          { key: 'Timing-Allow-Origin', value: '*' },
        ],
      },
    ]);
    assert.equal(withCrossOriginScripts({}, zoneBuild({ zone: 'home' })).headers, undefined);
  });

  it("keeps the zone's own headers", async () => {
    const own = { source: '/x', headers: [{ key: 'X-Own', value: '1' }] };
    const shop = withCrossOriginScripts({ headers: async () => [own] }, zoneBuild({ zone: 'shop' }));
    assert.deepEqual(await shop.headers?.(), [own, ...REMOTE_ASSET_HEADERS]);
  });

  it("loads the browser build's chunks as CORS scripts, in hosts and remote alike", () => {
    for (const zone of ['home', 'shop'] as const) {
      const config = withCrossOriginScripts({}, zoneBuild({ zone }));
      const client = runWebpackHook(config, 'client');
      assert.equal(client.output?.crossOriginLoading, 'anonymous');
      webpack.validate(client);
      assert.equal(runWebpackHook(config, 'server').output?.crossOriginLoading, undefined);
    }
  });
});
