import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INTERNAL_PACKAGES, withInternalPackages } from './internal-packages.ts';

describe('withInternalPackages', () => {
  it("compiles the workspace's TypeScript packages, and keeps the zone's own", () => {
    const config = withInternalPackages({ transpilePackages: ['x'] });
    assert.deepEqual(config.transpilePackages, [...INTERNAL_PACKAGES, 'x']);
    assert.ok(INTERNAL_PACKAGES.includes('@repo/topology'));
  });
});
