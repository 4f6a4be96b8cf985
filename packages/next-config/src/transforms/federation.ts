/**
 * Module Federation through nextjs-mf: a host gets its remotes from the topology, a remote
 * exposes its modules, and both load remote code through @repo/federation-runtime's loaders.
 */
import type { NextConfig } from 'next';
import { createRequire } from 'node:module';
import type { Compiler } from 'webpack';
import { NextFederationPlugin } from '@module-federation/nextjs-mf';
import { remoteEntryUrl, type Topology, type Zone, type ZoneName } from '@repo/topology';
import type { ZoneBuild } from '../zone.ts';
import { clientSharedConfig, type SharedConfig } from './federation-shared.ts';
import { compilerOf, extendWebpack } from './webpack.ts';

const require = createRequire(import.meta.url);
/** Runtime plugin evaluated in the hosts' Node servers (see the file for why). */
export const SERVER_REMOTE_LOADER = require.resolve('@repo/federation-runtime/server-remote-loader');
/** Runtime plugin evaluated in browsers: remote scripts load with CORS (see the file for why). */
export const BROWSER_REMOTE_LOADER = require.resolve('@repo/federation-runtime/browser-remote-loader');
/** nextjs-mf's own runtime plugin, as nextjs-mf registers it: its CommonJS build. */
export const NEXTJS_MF_RUNTIME_PLUGIN = require.resolve('@module-federation/nextjs-mf/dist/src/plugins/container/runtimePlugin.js');
/** The same plugin's ES module build. */
export const NEXTJS_MF_RUNTIME_PLUGIN_ESM = require.resolve('@module-federation/nextjs-mf/dist/src/plugins/container/runtimePlugin.mjs');

export interface FederationOptions {
  name: string;
  filename: string;
  remotes: Record<string, string>;
  exposes: Record<string, string>;
  shared: SharedConfig;
  runtimePlugins: string[];
  extraOptions: Record<string, never>;
}

/** The nextjs-mf options for one zone and one of Next's two compilers. */
export function federationOptions(
  topology: Topology,
  zoneName: ZoneName,
  compiler: 'server' | 'client',
  exposes: Record<string, string> = {},
): FederationOptions {
  const zone = topology.zones[zoneName];
  const remotes = Object.fromEntries(
    zone.consumes.map((remote) => [remote, `${remote}@${remoteEntryUrl(topology, remote, compiler === 'server' ? 'server' : 'browser')}`]),
  );
  return {
    name: zone.name,
    filename: 'static/chunks/remoteEntry.js',
    remotes,
    exposes,
    shared: compiler === 'client' ? clientSharedConfig(zone.name, zone.isRemote) : {},
    runtimePlugins: [compiler === 'server' ? SERVER_REMOTE_LOADER : BROWSER_REMOTE_LOADER],
    extraOptions: {},
  };
}

/**
 * Module Federation's runtime size options (its plugin's `experiments.optimization`) for a zone's
 * browser build: each removes code from the runtime that every page (and shop's remote entry)
 * carries. `target: 'web'` drops the runtime's Node loaders; `disableSnapshot` its manifest
 * snapshot plugin (remotes are registered by their entry, never by `mf-manifest.json`);
 * `disableRemote`, for a zone that consumes no remote (shop), its remote loading: a remote's
 * entry only answers its host, whose own runtime loads it.
 */
export interface RuntimeSizeOptions {
  optimization: { target: 'web'; disableSnapshot: true; disableRemote: boolean };
}

export function browserRuntimeSize(zone: Pick<Zone, 'consumes'>): RuntimeSizeOptions {
  return { optimization: { target: 'web', disableSnapshot: true, disableRemote: zone.consumes.length === 0 } };
}

/** What this file changes of the options nextjs-mf builds for Module Federation's own plugin. */
interface EnhancedPluginOptions {
  runtimePlugins?: unknown[];
  experiments?: Record<string, unknown>;
}

interface BuildsEnhancedOptions {
  getNormalFederationPluginOptions(compiler: Compiler, isServer: boolean): EnhancedPluginOptions;
}

/**
 * One federation runtime per bundle, trimmed to what a browser uses. nextjs-mf builds the options
 * of Module Federation's plugin in a private method, where it
 * - replaces `experiments` with its own `{ asyncStartup: true }`, so the size options above cannot
 *   be passed through it (nextjs-mf 8.8.76 dist/src/plugins/NextFederationPlugin/index.js:136);
 * - registers its runtime plugin by its CommonJS build (index.js:24 and :120), whose
 *   `require('@module-federation/runtime-core')` pulls the CommonJS builds of MF's runtime-core,
 *   sdk and error-codes into the bundle beside the ES module builds webpack's federation runtime
 *   imports: every page's webpack runtime, and shop's remote entry, carried the runtime twice.
 * This adds the size options to what that method returns and registers the same runtime plugin's
 * ES module build instead. The server build is left as nextjs-mf makes it.
 */
export function withBrowserRuntime(plugin: NextFederationPlugin, size: RuntimeSizeOptions): NextFederationPlugin {
  const builder = plugin as unknown as BuildsEnhancedOptions;
  const build = builder.getNormalFederationPluginOptions;
  if (typeof build !== 'function') throw new Error('nextjs-mf no longer has getNormalFederationPluginOptions: revisit withBrowserRuntime');
  builder.getNormalFederationPluginOptions = (compiler, isServer) => {
    const options = build.call(plugin, compiler, isServer);
    return {
      ...options,
      runtimePlugins: options.runtimePlugins?.map((entry) =>
        typeof entry === 'string' ? entry.replace(NEXTJS_MF_RUNTIME_PLUGIN, NEXTJS_MF_RUNTIME_PLUGIN_ESM) : entry,
      ),
      experiments: { ...options.experiments, ...size },
    };
  };
  return plugin;
}

export function withFederation(config: NextConfig, zone: ZoneBuild): NextConfig {
  // The control build measures the app without federation (see control-build.ts).
  if (zone.control) return config;
  return extendWebpack(config, (webpackConfig, context) => {
    const compiler = compilerOf(context);
    // Next also runs an edge-server compiler; nextjs-mf only supports 'server' and 'client'.
    if (compiler === 'edge') return;
    const plugin = new NextFederationPlugin(federationOptions(zone.topology, zone.zone.name, compiler, zone.exposes));
    webpackConfig.plugins = [...(webpackConfig.plugins ?? []), compiler === 'client' ? withBrowserRuntime(plugin, browserRuntimeSize(zone.zone)) : plugin];
  });
}
