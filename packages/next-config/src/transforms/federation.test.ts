import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { NextFederationPlugin } from '@module-federation/nextjs-mf';
import { resolveTopology } from '@repo/topology';
import { runWebpackHook, zoneBuild, type Compiler } from '../testing.ts';
import {
  BROWSER_REMOTE_LOADER,
  NEXTJS_MF_RUNTIME_PLUGIN,
  NEXTJS_MF_RUNTIME_PLUGIN_ESM,
  SERVER_REMOTE_LOADER,
  browserRuntimeSize,
  federationOptions,
  withBrowserRuntime,
  withFederation,
} from './federation.ts';
import { NEXT_CLIENT_SINGLETONS, PAGES_DIR_BROWSER_LAYER, privateShareScope } from './federation-shared.ts';

const topology = resolveTopology({ SHOP_PORT: '4101' });

/** The options each compiler's NextFederationPlugin was given. */
function pluginOptions(config: ReturnType<typeof withFederation>, compiler: Compiler) {
  const plugins = (runWebpackHook(config, compiler).plugins ?? []).filter((p) => p instanceof NextFederationPlugin);
  // nextjs-mf keeps its options on the instance (no public getter).
  return plugins.map((p) => (p as unknown as { _options: ReturnType<typeof federationOptions> })._options);
}

describe('federationOptions', () => {
  it('gives a host the remote entry for each compiler, from the topology', () => {
    assert.deepEqual(federationOptions(topology, 'checkout', 'client').remotes, {
      shop: 'shop@http://localhost:4101/_next/static/chunks/remoteEntry.js',
    });
    assert.deepEqual(federationOptions(topology, 'checkout', 'server').remotes, {
      shop: 'shop@http://localhost:4101/_next/static/ssr/remoteEntry.js',
    });
  });

  it('gives shop no remotes and passes its exposes through', () => {
    const exposes = { './Header': './src/exposed/Header.tsx' };
    const options = federationOptions(topology, 'shop', 'client', exposes);
    assert.equal(options.name, 'shop');
    assert.deepEqual(options.remotes, {});
    assert.deepEqual(options.exposes, exposes);
  });

  it('shares Next’s client singletons in the pages-dir-browser layer, remotes in a private scope', () => {
    const host = federationOptions(topology, 'home', 'client').shared;
    const remote = federationOptions(topology, 'shop', 'client').shared;
    for (const request of NEXT_CLIENT_SINGLETONS) {
      const layered = host[`${request}#${PAGES_DIR_BROWSER_LAYER}`];
      assert.ok(layered, request);
      assert.equal(layered.layer, PAGES_DIR_BROWSER_LAYER);
      assert.equal(layered.issuerLayer, PAGES_DIR_BROWSER_LAYER);
      assert.equal(layered.shareKey, request);
      assert.equal(layered.shareScope, undefined, 'a host provides its copy in the default scope');
      assert.equal(remote[`${request}#${PAGES_DIR_BROWSER_LAYER}`]?.shareScope, privateShareScope('shop'));
      // Outside the layer (shop's exposed modules), never bundle a copy: take the host's.
      assert.equal(host[request]?.import, false);
      assert.equal(remote[request]?.import, false);
    }
  });

  it("adds no layered shares to the server compiler, and loads remote code with @repo/federation-runtime's loaders", () => {
    const server = federationOptions(topology, 'home', 'server');
    assert.deepEqual(server.shared, {});
    assert.deepEqual(server.runtimePlugins, [SERVER_REMOTE_LOADER]);
    assert.deepEqual(federationOptions(topology, 'home', 'client').runtimePlugins, [BROWSER_REMOTE_LOADER]);
    for (const loader of [SERVER_REMOTE_LOADER, BROWSER_REMOTE_LOADER]) {
      assert.ok(existsSync(loader), loader);
      assert.match(loader, /packages\/federation-runtime\/src\//);
    }
  });
});

describe('withFederation', () => {
  it("adds nextjs-mf to Next's client and server compilers, not to the edge compiler it does not support", () => {
    const config = withFederation({}, zoneBuild({ zone: 'checkout' }, { SHOP_PORT: '4101' }));
    assert.equal(pluginOptions(config, 'client')[0]?.remotes.shop, 'shop@http://localhost:4101/_next/static/chunks/remoteEntry.js');
    assert.equal(pluginOptions(config, 'server')[0]?.remotes.shop, 'shop@http://localhost:4101/_next/static/ssr/remoteEntry.js');
    assert.deepEqual(pluginOptions(config, 'edge'), []);
  });

  it("makes shop's exposes what shop's package.json declares", () => {
    const packageJson = { version: '1.0.0', exports: { './Header': { types: './src/exposed/Header.tsx' } } };
    const config = withFederation({}, zoneBuild({ zone: 'shop', packageJson }));
    assert.deepEqual(pluginOptions(config, 'client')[0]?.exposes, { './Header': './src/exposed/Header.tsx' });
  });

  it('leaves federation out of the control build', () => {
    const config = withFederation({}, zoneBuild({ zone: 'checkout' }, { FEDERATION_CONTROL: 'local' }));
    assert.equal(config.webpack, undefined);
  });
});

/** The options each compiler's NextFederationPlugin gives Module Federation's own plugin. */
function enhancedOptions(config: ReturnType<typeof withFederation>, compiler: Compiler) {
  const [plugin] = (runWebpackHook(config, compiler).plugins ?? []).filter((p) => p instanceof NextFederationPlugin);
  // nextjs-mf builds them in a method without a public type; a compiler's options are all it reads.
  const builder = plugin as unknown as {
    getNormalFederationPluginOptions(compiler: unknown, isServer: boolean): { runtimePlugins: string[]; experiments: Record<string, unknown> };
  };
  return builder.getNormalFederationPluginOptions({ options: { context: process.cwd() } }, compiler === 'server');
}

describe('the browser federation runtime', () => {
  it("gives Module Federation's plugin its runtime size options in the browser build, beside nextjs-mf's own", () => {
    const host = enhancedOptions(withFederation({}, zoneBuild({ zone: 'checkout' })), 'client');
    assert.deepEqual(host.experiments, { asyncStartup: true, optimization: { target: 'web', disableSnapshot: true, disableRemote: false } });
    const shop = enhancedOptions(withFederation({}, zoneBuild({ zone: 'shop' })), 'client');
    assert.deepEqual(shop.experiments.optimization, { target: 'web', disableSnapshot: true, disableRemote: true }, 'shop loads no remote');
  });

  it("registers nextjs-mf's runtime plugin by its ES module build, before ours, so the bundle has one runtime", () => {
    // Next requires next.config as CommonJS, and nextjs-mf then names its plugin's CommonJS build.
    const { runtimePlugins } = enhancedOptions(withFederation({}, zoneBuild({ zone: 'checkout' })), 'client');
    assert.deepEqual(runtimePlugins, [`${NEXTJS_MF_RUNTIME_PLUGIN_ESM}?runtimePlugin`, `${BROWSER_REMOTE_LOADER}?runtimePlugin`]);
    assert.ok(existsSync(NEXTJS_MF_RUNTIME_PLUGIN_ESM));
  });

  it('registers the ES module build when nextjs-mf is loaded as CommonJS, as Next loads next.config', () => {
    const cjs = createRequire(import.meta.url)('@module-federation/nextjs-mf') as { NextFederationPlugin: typeof NextFederationPlugin };
    const plugin = new cjs.NextFederationPlugin(federationOptions(topology, 'checkout', 'client'));
    const builder = withBrowserRuntime(plugin, browserRuntimeSize({ consumes: ['shop'] })) as unknown as {
      getNormalFederationPluginOptions(compiler: unknown, isServer: boolean): { runtimePlugins: string[] };
    };
    const { runtimePlugins } = builder.getNormalFederationPluginOptions({ options: { context: process.cwd() } }, false);
    assert.equal(runtimePlugins[0], `${NEXTJS_MF_RUNTIME_PLUGIN_ESM}?runtimePlugin`);
    assert.ok(!runtimePlugins.some((p) => p.startsWith(NEXTJS_MF_RUNTIME_PLUGIN)), runtimePlugins.join(', '));
  });

  it('leaves the server build as nextjs-mf makes it', () => {
    const server = enhancedOptions(withFederation({}, zoneBuild({ zone: 'checkout' })), 'server');
    assert.deepEqual(server.experiments, { asyncStartup: true });
    // Which build of its plugin nextjs-mf names depends on how next.config was loaded (Next
    // requires it as CommonJS; this test imports nextjs-mf as an ES module).
    assert.ok(server.runtimePlugins.some((p) => p.startsWith(NEXTJS_MF_RUNTIME_PLUGIN.replace(/\.js$/, '.'))));
    assert.ok(server.runtimePlugins.includes(`${SERVER_REMOTE_LOADER}?runtimePlugin`));
  });

  it('trims remote loading only from a zone that consumes no remote', () => {
    assert.equal(browserRuntimeSize({ consumes: [] }).optimization.disableRemote, true);
    assert.equal(browserRuntimeSize({ consumes: ['shop'] }).optimization.disableRemote, false);
  });
});
