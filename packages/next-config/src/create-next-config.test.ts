import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { NextFederationPlugin } from '@module-federation/nextjs-mf';
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD, PHASE_PRODUCTION_SERVER } from 'next/constants.js';
import nextConfigModule, { type default as LoadConfig } from 'next/dist/server/config.js';
import { ZONE_NAMES } from '@repo/topology';
import { createNextConfig } from './index.ts';
import { runWebpackHook } from './testing.ts';

// Next's own loader for next.config.ts (what `next dev|build|start` run), CommonJS.
const loadConfig = (nextConfigModule as unknown as { default: typeof LoadConfig }).default;
const APPS = fileURLToPath(new URL('../../../apps/', import.meta.url));

describe('createNextConfig', () => {
  it('composes every transform onto what the zone adds itself', () => {
    const config = createNextConfig({ zone: 'shop', version: '1.0.0', packageJson: {}, next: { poweredByHeader: false, transpilePackages: ['x'] } }, {})(
      PHASE_PRODUCTION_BUILD,
    );
    assert.equal(config.poweredByHeader, false);
    assert.ok(config.transpilePackages?.includes('x') && config.transpilePackages.includes('@repo/topology'));
    assert.equal(config.env?.ZONE_RELEASE, 'shop@1.0.0');
    assert.equal(config.distDir, '.next');
    const client = runWebpackHook(config, 'client');
    assert.ok(client.plugins?.some((plugin) => plugin instanceof NextFederationPlugin));
    assert.equal(client.output?.crossOriginLoading, 'anonymous');
    assert.equal(client.module?.rules?.length, 1, 'the owner rule');
  });

  it('refuses a broken topology when the config loads, not when a page is served', () => {
    assert.throws(() => createNextConfig({ zone: 'home', packageJson: {} }, { HOME_PORT: 'eighty' }), /HOME_PORT/);
  });
});

describe("each zone's next.config.ts, as Next loads it", () => {
  it('gives `next dev` its own directory, and `next build` and `next start` the production build', async () => {
    const cwd = process.cwd();
    try {
      for (const zone of ZONE_NAMES) {
        // Next runs in the app's directory; the zone reads its package.json there.
        const dir = `${APPS}${zone}`;
        process.chdir(dir);
        const dev = await loadConfig(PHASE_DEVELOPMENT_SERVER, dir);
        const build = await loadConfig(PHASE_PRODUCTION_BUILD, dir);
        const start = await loadConfig(PHASE_PRODUCTION_SERVER, dir);
        assert.equal(dev.distDir, '.next-dev', zone);
        assert.equal(build.distDir, '.next', zone);
        assert.equal(start.distDir, '.next', zone);
        assert.equal(build.env.ZONE_NAME, zone);
        assert.equal(typeof build.webpack, 'function');
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
