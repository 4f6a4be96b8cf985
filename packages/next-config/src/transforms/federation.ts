/**
 * Module Federation through nextjs-mf: a host gets its remotes from the topology, a remote
 * exposes its modules, and both load remote code through @repo/federation-runtime's loaders.
 */
import type { NextConfig } from 'next';
import { createRequire } from 'node:module';
import { NextFederationPlugin } from '@module-federation/nextjs-mf';
import { remoteEntryUrl, type Topology, type ZoneName } from '@repo/topology';
import type { ZoneBuild } from '../zone.ts';
import { clientSharedConfig, type SharedConfig } from './federation-shared.ts';
import { compilerOf, extendWebpack } from './webpack.ts';

const require = createRequire(import.meta.url);
/** Runtime plugin evaluated in the hosts' Node servers (see the file for why). */
export const SERVER_REMOTE_LOADER = require.resolve('@repo/federation-runtime/server-remote-loader');
/** Runtime plugin evaluated in browsers: remote scripts load with CORS (see the file for why). */
export const BROWSER_REMOTE_LOADER = require.resolve('@repo/federation-runtime/browser-remote-loader');

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

export function withFederation(config: NextConfig, zone: ZoneBuild): NextConfig {
  // The control build measures the app without federation (see control-build.ts).
  if (zone.control) return config;
  return extendWebpack(config, (webpackConfig, context) => {
    const compiler = compilerOf(context);
    // Next also runs an edge-server compiler; nextjs-mf only supports 'server' and 'client'.
    if (compiler === 'edge') return;
    const plugin = new NextFederationPlugin(federationOptions(zone.topology, zone.zone.name, compiler, zone.exposes));
    webpackConfig.plugins = [...(webpackConfig.plugins ?? []), plugin];
  });
}
