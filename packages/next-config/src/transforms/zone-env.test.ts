import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zoneBuild } from '../testing.ts';
import { withZoneEnv } from './zone-env.ts';

describe('withZoneEnv', () => {
  it('compiles in the zone, its release and the topology variables that are set', () => {
    const env = { SHOP_PORT: '4101', HOME_PORT: '', SENTRY_DSN_SHOP: 'https://k@sentry.example/7', SENTRY_ENVIRONMENT: 'staging', PATH: '/bin' };
    const config = withZoneEnv({}, zoneBuild({ zone: 'home', version: '3.2.1' }, env));
    assert.deepEqual(config.env, {
      SHOP_PORT: '4101',
      SENTRY_DSN_SHOP: 'https://k@sentry.example/7',
      ZONE_NAME: 'home',
      ZONE_RELEASE: 'home@3.2.1',
      SENTRY_ENVIRONMENT: 'staging',
    });
  });

  it('names a release build and its defect as the release it is', () => {
    const config = withZoneEnv({}, zoneBuild({ zone: 'shop' }, { ZONE_RELEASE_VERSION: '1.1.0', ZONE_DEFECT: 'header' }));
    assert.equal(config.env?.ZONE_RELEASE, 'shop@1.1.0');
    assert.equal(config.env?.ZONE_DEFECT, 'header');
  });

  it('keeps what the zone set itself', () => {
    const config = withZoneEnv({ env: { OWN: 'x' } }, zoneBuild({ zone: 'checkout' }));
    assert.equal(config.env?.OWN, 'x');
    assert.equal(config.env?.ZONE_NAME, 'checkout');
  });
});
