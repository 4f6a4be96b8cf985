import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD, PHASE_PRODUCTION_SERVER } from 'next/constants.js';
import { zoneBuild } from '../testing.ts';
import { CONTROL_DIST_DIR, DEV_DIST_DIR, PRODUCTION_DIST_DIR, withDistDir } from './dist-dir.ts';

function distDir(env: Record<string, string>, phase: string): string | undefined {
  return withDistDir({}, zoneBuild({ zone: 'shop' }, env, phase)).distDir;
}

const BUILD_PHASES = [PHASE_PRODUCTION_BUILD, PHASE_PRODUCTION_SERVER];
const VARIANTS: Record<string, string>[] = [{}, { ZONE_RELEASE_VERSION: '1.1.0' }, { FEDERATION_CONTROL: 'local' }];

describe('withDistDir', () => {
  it('has `next build` write, and `next start` serve, the same directory for each kind of build', () => {
    for (const phase of BUILD_PHASES) {
      assert.equal(distDir({}, phase), PRODUCTION_DIST_DIR);
      assert.equal(distDir({ ZONE_RELEASE_VERSION: '1.1.0' }, phase), '.releases/1.1.0');
      assert.equal(distDir({ FEDERATION_CONTROL: 'local' }, phase), CONTROL_DIST_DIR);
    }
  });

  it('never lets `next dev` write where a build is, nor into a build output', () => {
    const builds = VARIANTS.flatMap((env) => BUILD_PHASES.map((phase) => distDir(env, phase)));
    for (const env of VARIANTS) {
      const dev = distDir(env, PHASE_DEVELOPMENT_SERVER);
      assert.ok(dev?.startsWith(DEV_DIST_DIR), dev);
      assert.ok(!builds.some((build) => build === dev || dev?.startsWith(`${build}/`)), `${dev} is inside a build output`);
    }
    assert.equal(distDir({}, PHASE_DEVELOPMENT_SERVER), DEV_DIST_DIR);
  });

  it('keeps "server" out of every directory name: nextjs-mf finds a build root by splitting its path there', () => {
    for (const env of VARIANTS) {
      for (const phase of [...BUILD_PHASES, PHASE_DEVELOPMENT_SERVER]) assert.ok(!distDir(env, phase)?.includes('server'));
    }
  });
});
