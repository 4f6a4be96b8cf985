import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runWebpackHook, zoneBuild } from '../testing.ts';
import { withBrowserBuildPlugin } from './browser-build-plugin.ts';

/** A webpack plugin module as the benchmark's is: its class is the default export. */
function pluginModule(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'build-plugin-')), 'marker-plugin.cjs');
  writeFileSync(file, "exports.default = class MarkerPlugin { apply() {} };\n");
  return file;
}

describe('withBrowserBuildPlugin', () => {
  it('adds the plugin ZONE_BROWSER_BUILD_PLUGIN names to the browser build only', () => {
    const config = withBrowserBuildPlugin({}, zoneBuild({ zone: 'home' }, { ZONE_BROWSER_BUILD_PLUGIN: pluginModule() }));
    const names = (compiler: 'client' | 'server') => runWebpackHook(config, compiler).plugins?.map((p) => p?.constructor.name);
    assert.deepEqual(names('client'), ['MarkerPlugin']);
    assert.deepEqual(names('server'), []);
  });

  it('refuses a module that does not export a plugin class, when the config loads', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'build-plugin-')), 'not-a-plugin.cjs');
    writeFileSync(file, 'exports.default = 42;\n');
    assert.throws(() => zoneBuild({ zone: 'home' }, { ZONE_BROWSER_BUILD_PLUGIN: file }), /not a webpack plugin class/);
  });

  it('adds nothing when no plugin is named', () => {
    assert.equal(withBrowserBuildPlugin({}, zoneBuild({ zone: 'home' })).webpack, undefined);
  });
});
