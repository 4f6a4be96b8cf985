import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import webpack, { type RuleSetRule } from 'webpack';
import { runWebpackHook, zoneBuild } from '../testing.ts';
import { OWNER_LOADER, withOwnerMetadata } from './owner-metadata.ts';

function ownerRules(zone: 'shop' | 'home', compiler: 'client' | 'server', env: Record<string, string> = {}): RuleSetRule[] {
  const rules = runWebpackHook(withOwnerMetadata({}, zoneBuild({ zone }, env)), compiler).module?.rules ?? [];
  return rules.filter((rule): rule is RuleSetRule => typeof rule === 'object' && rule !== null);
}

describe('withOwnerMetadata', () => {
  it("stamps a remote's own modules with its owner and release, after the other loaders, in both compilers", () => {
    for (const compiler of ['client', 'server'] as const) {
      const [rule, ...others] = ownerRules('shop', compiler, { ZONE_RELEASE_VERSION: '1.1.0' });
      assert.equal(others.length, 0);
      assert.equal(rule?.enforce, 'post');
      assert.ok(rule?.test instanceof RegExp && rule.test.test('/repo/apps/shop/src/exposed/Header.tsx'));
      assert.ok(rule?.exclude instanceof RegExp && rule.exclude.test('/repo/node_modules/react/index.js'));
      assert.deepEqual(rule?.use, [{ loader: OWNER_LOADER, options: { owner: 'shop', release: 'shop@1.1.0' } }]);
      webpack.validate({ module: { rules: [rule] } });
    }
    assert.ok(existsSync(OWNER_LOADER));
  });

  it("leaves a host's modules alone: errors in its own code are its own", () => {
    assert.deepEqual(ownerRules('home', 'client'), []);
  });
});
