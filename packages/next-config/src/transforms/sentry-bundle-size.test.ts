import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import webpack, { type Configuration } from 'webpack';
import { runWebpackHook, webpackContext } from '../testing.ts';
import { SENTRY_BROWSER_FLAGS, withSentryBundleSize } from './sentry-bundle-size.ts';

function definitions(config: Configuration): unknown[] {
  return (config.plugins ?? []).filter((p) => p instanceof webpack.DefinePlugin).map((p) => (p as webpack.DefinePlugin).definitions);
}

describe('withSentryBundleSize', () => {
  it("drops Sentry's debug code from the production browser build, and keeps its tracing", () => {
    const client = runWebpackHook(withSentryBundleSize({}), 'client');
    assert.deepEqual(definitions(client), [{ __SENTRY_DEBUG__: false }]);
    assert.ok(!('__SENTRY_TRACING__' in SENTRY_BROWSER_FLAGS));
    webpack.validate(client);
  });

  it('leaves the server builds and next dev as they are', () => {
    const config = withSentryBundleSize({});
    assert.deepEqual(definitions(runWebpackHook(config, 'server')), []);
    assert.deepEqual(definitions(runWebpackHook(config, 'edge')), []);
    const dev = config.webpack?.({ plugins: [] }, { ...webpackContext('client'), dev: true }) as Configuration;
    assert.deepEqual(definitions(dev), []);
  });
});
