import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposesFromExports, resolveZoneBuild } from './zone.ts';

describe('resolveZoneBuild', () => {
  it('names the release after the owner and the version: the package.json’s, or the one built as a release', () => {
    assert.equal(resolveZoneBuild({ zone: 'shop', packageJson: { version: '1.0.0' } }, {}).release, 'shop@1.0.0');
    const release = resolveZoneBuild({ zone: 'shop', packageJson: { version: '1.0.0' } }, { ZONE_RELEASE_VERSION: '1.1.0' });
    assert.equal(release.release, 'shop@1.1.0');
    assert.equal(release.releaseVersion, '1.1.0');
  });

  it("compiles the traces sample rate into the zone's bundles when it is set, and leaves the default to the runtime", () => {
    const packageJson = { version: '1.0.0' };
    assert.equal(resolveZoneBuild({ zone: 'home', packageJson }, { SENTRY_TRACES_SAMPLE_RATE: '0.25' }).bundleEnv.SENTRY_TRACES_SAMPLE_RATE, '0.25');
    assert.equal('SENTRY_TRACES_SAMPLE_RATE' in resolveZoneBuild({ zone: 'home', packageJson }, {}).bundleEnv, false);
  });

  it('refuses a broken topology when the config loads, not when a page is served', () => {
    assert.throws(() => resolveZoneBuild({ zone: 'home', packageJson: {} }, { HOME_PORT: 'eighty' }), /HOME_PORT/);
  });

  it("takes a remote's exposes from its package exports, and gives a host none", () => {
    const packageJson = { exports: { './Header': { types: './src/exposed/Header.tsx' } } };
    assert.deepEqual(resolveZoneBuild({ zone: 'shop', packageJson }, {}).exposes, { './Header': './src/exposed/Header.tsx' });
    assert.deepEqual(resolveZoneBuild({ zone: 'home', packageJson }, {}).exposes, {});
  });
});

describe('exposesFromExports', () => {
  it("turns a remote's package exports into its exposes, by their types path", () => {
    assert.deepEqual(
      exposesFromExports({
        './Header': { types: './src/exposed/Header.tsx' },
        './Plain': './src/plain.ts',
        '.': { types: './src/index.ts' },
        './NoTypes': {},
      }),
      { './Header': './src/exposed/Header.tsx', './Plain': './src/plain.ts' },
    );
  });
});
