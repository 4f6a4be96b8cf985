import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWebpackHook, zoneBuild } from '../testing.ts';
import { CONTROL_CONDITION, withControlBuild } from './control-build.ts';

describe('withControlBuild', () => {
  it("resolves shop's modules to their source through shop's package exports", () => {
    const config = withControlBuild({}, zoneBuild({ zone: 'checkout' }, { FEDERATION_CONTROL: 'local' }));
    for (const compiler of ['client', 'server'] as const) {
      assert.deepEqual(runWebpackHook(config, compiler).resolve?.conditionNames, [CONTROL_CONDITION, '...']);
    }
    assert.equal(runWebpackHook(config, 'client').output?.environment?.asyncFunction, true);
  });

  it('changes nothing in a federated build', () => {
    const config = withControlBuild({}, zoneBuild({ zone: 'checkout' }));
    assert.equal(config.webpack, undefined);
  });
});
