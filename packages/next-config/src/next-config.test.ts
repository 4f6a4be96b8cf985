import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import { resolveTopology } from '@repo/topology';
import {
  BROWSER_REMOTE_LOADER,
  OWNER_LOADER,
  SERVER_REMOTE_LOADER,
  CONTROL_DIST_DIR,
  browserEnv,
  createNextConfig,
  exposesFromExports,
  federationOptions,
  ownerMetadataRule,
} from './index.ts';
import { NEXT_CLIENT_SINGLETONS, PAGES_DIR_BROWSER_LAYER, privateShareScope } from './shared.ts';

const topology = resolveTopology({ SHOP_PORT: '4101' });

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

  it('adds no layered shares to the server compiler, and loads remote code with our runtime plugin', () => {
    const server = federationOptions(topology, 'home', 'server');
    assert.deepEqual(server.shared, {});
    assert.deepEqual(server.runtimePlugins, [SERVER_REMOTE_LOADER]);
    assert.ok(existsSync(SERVER_REMOTE_LOADER));
    assert.deepEqual(federationOptions(topology, 'home', 'client').runtimePlugins, [BROWSER_REMOTE_LOADER]);
  });
});

describe('createNextConfig', () => {
  it('inlines the zone, its release and the overridden topology for browser bundles', () => {
    const config = createNextConfig(
      { zone: 'home', version: '3.2.1' },
      { SHOP_PORT: '4101', SENTRY_DSN_SHOP: 'https://k@sentry.example/7', SENTRY_ENVIRONMENT: 'staging', UNRELATED: 'x' },
    );
    assert.deepEqual(config.env, {
      SHOP_PORT: '4101',
      SENTRY_DSN_SHOP: 'https://k@sentry.example/7',
      ZONE_NAME: 'home',
      ZONE_RELEASE: 'home@3.2.1',
      SENTRY_ENVIRONMENT: 'staging',
    });
    assert.ok(config.transpilePackages?.includes('@repo/topology'));
  });

  it('keeps what a zone adds to its own config', () => {
    const config = createNextConfig({ zone: 'shop', next: { poweredByHeader: false, transpilePackages: ['x'] } }, {});
    assert.equal(config.poweredByHeader, false);
    assert.ok(config.transpilePackages?.includes('x'));
    assert.ok(config.transpilePackages?.includes('@repo/topology'));
  });

  it('refuses a broken topology when the config loads, not when a page is served', () => {
    assert.throws(() => createNextConfig({ zone: 'home' }, { HOME_PORT: 'eighty' }), /HOME_PORT/);
  });
});

describe('ownership stamping', () => {
  it("stamps a remote's own modules with its owner and release, after the other loaders", () => {
    const rule = ownerMetadataRule('shop', 'shop@1.0.0');
    assert.equal(rule.enforce, 'post');
    assert.ok(rule.test.test('/repo/apps/shop/src/exposed/Header.tsx'));
    assert.ok(rule.exclude.test('/repo/node_modules/react/index.js'));
    assert.deepEqual(rule.use, [{ loader: OWNER_LOADER, options: { owner: 'shop', release: 'shop@1.0.0' } }]);
    assert.ok(existsSync(OWNER_LOADER));
  });
});

describe('remote asset headers', () => {
  it("let other zones load a remote's static files as CORS scripts, and only a remote's", async () => {
    const shop = createNextConfig({ zone: 'shop', version: '1.0.0' }, {});
    assert.deepEqual(await shop.headers?.(), [
      { source: '/_next/static/:path*', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },
    ]);
    assert.equal(createNextConfig({ zone: 'home', version: '1.0.0' }, {}).headers, undefined);
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

  it("makes shop's exposes what shop's package.json declares", () => {
    const shop = { version: '1.0.0', exports: { './Header': { types: './src/exposed/Header.tsx' } } };
    const config = createNextConfig({ zone: 'shop', packageJson: shop }, {});
    // The exposes reach nextjs-mf through the webpack hook; read them back from the plugin.
    const fake = { plugins: [] as { _options?: { exposes?: Record<string, string> } }[], module: { rules: [] }, output: {}, resolve: {} };
    config.webpack?.(fake, { isServer: false, nextRuntime: undefined } as never);
    assert.deepEqual(fake.plugins[0]?._options?.exposes, { './Header': './src/exposed/Header.tsx' });
  });
});

describe('the control build (FEDERATION_CONTROL=local)', () => {
  it('builds into its own directory, without federation, resolving shop/* to source', () => {
    const config = createNextConfig({ zone: 'checkout', version: '1.0.0' }, { FEDERATION_CONTROL: 'local' });
    assert.equal(config.distDir, CONTROL_DIST_DIR);
    const fake = { plugins: [] as unknown[], module: { rules: [] }, output: {}, resolve: {} as { conditionNames?: string[] } };
    config.webpack?.(fake, { isServer: true, nextRuntime: 'nodejs' } as never);
    assert.deepEqual(fake.plugins, []);
    assert.deepEqual(fake.resolve.conditionNames, ['federation-control', '...']);
  });
});

describe('browserEnv', () => {
  it('passes only set topology variables', () => {
    assert.deepEqual(browserEnv({ HOME_PORT: '1', SHOP_PORT: '', PATH: '/bin' }), { HOME_PORT: '1' });
  });
});
