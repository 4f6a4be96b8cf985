import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Configuration } from 'webpack';
import { runWebpackHook, webpackContext, zoneBuild } from '../testing.ts';
import { PRODUCTION_DEVTOOL, withSourceMaps } from './source-maps.ts';

describe('withSourceMaps', () => {
  it('has every production compiler write hidden maps', () => {
    const config = withSourceMaps({}, zoneBuild({ zone: 'shop' }));
    for (const compiler of ['client', 'server', 'edge'] as const) assert.equal(runWebpackHook(config, compiler).devtool, PRODUCTION_DEVTOOL, compiler);
  });

  it("leaves `next dev` Next's own devtool", () => {
    const config = withSourceMaps({}, zoneBuild({ zone: 'shop' }));
    const webpackConfig: Configuration = { devtool: 'eval-source-map' };
    const result = config.webpack?.(webpackConfig, { ...webpackContext('client'), dev: true }) as Configuration;
    assert.equal(result.devtool, 'eval-source-map');
  });

  it("prepares the build Next compiled, as the zone's release, after any hook the config had", async () => {
    const calls: string[] = [];
    const config = withSourceMaps(
      { compiler: { removeConsole: true, runAfterProductionCompile: async ({ distDir }) => void calls.push(`previous ${distDir}`) } },
      zoneBuild({ zone: 'shop' }, { ZONE_RELEASE_VERSION: '1.1.0' }),
      async (distDir, identity) => void calls.push(`prepare ${distDir} ${identity.zone} ${identity.release}`),
    );
    assert.equal(config.compiler?.removeConsole, true);
    await config.compiler?.runAfterProductionCompile?.({ distDir: '/app/.releases/1.1.0', projectDir: '/app' });
    assert.deepEqual(calls, ['previous /app/.releases/1.1.0', 'prepare /app/.releases/1.1.0 shop shop@1.1.0']);
  });
});
