/**
 * One next.config for every zone. Each app's next.config.ts only names its zone and, for a
 * remote, what it exposes; ports, URLs and remotes come from the topology.
 */
import type { NextConfig } from 'next';
import { NextFederationPlugin } from '@module-federation/nextjs-mf';
import {
  TOPOLOGY_ENV_NAMES,
  remoteEntryUrl,
  resolveTopology,
  type Env,
  type Topology,
  type ZoneName,
} from '@repo/topology';
import { createRequire } from 'node:module';
import { clientSharedConfig, type SharedConfig } from './shared.ts';

const require = createRequire(import.meta.url);
/** Runtime plugin evaluated in the hosts' Node servers (see the file for why). */
export const SERVER_REMOTE_LOADER = require.resolve('./runtime/server-remote-loader.ts');

export interface ZoneConfigOptions {
  zone: ZoneName;
  /** Modules this zone exposes to hosts, `{ './Header': './src/exposed/Header.tsx' }`. */
  exposes?: Record<string, string>;
  /** Anything else to merge into the Next config. */
  next?: NextConfig;
}

/** Workspace packages the zones import as TypeScript source ("just in time" packages). */
export const INTERNAL_PACKAGES = ['@repo/topology', '@repo/lab'];

export interface FederationOptions {
  name: string;
  filename: string;
  remotes: Record<string, string>;
  exposes: Record<string, string>;
  shared: SharedConfig;
  runtimePlugins: string[];
  extraOptions: Record<string, never>;
}

/** The nextjs-mf options for one zone and one of Next's two compilers. Pure: unit-tested. */
export function federationOptions(
  topology: Topology,
  zoneName: ZoneName,
  compiler: 'server' | 'client',
  exposes: Record<string, string> = {},
): FederationOptions {
  const zone = topology.zones[zoneName];
  const remotes = Object.fromEntries(
    zone.consumes.map((remote) => [
      remote,
      `${remote}@${remoteEntryUrl(topology, remote, compiler === 'server' ? 'server' : 'browser')}`,
    ]),
  );
  return {
    name: zone.name,
    filename: 'static/chunks/remoteEntry.js',
    remotes,
    exposes,
    shared: compiler === 'client' ? clientSharedConfig(zone.name, zone.isRemote) : {},
    runtimePlugins: compiler === 'server' ? [SERVER_REMOTE_LOADER] : [],
    extraOptions: {},
  };
}

/** The topology variables as Next's `env` option, so browser bundles resolve the same topology. */
export function browserEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TOPOLOGY_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

export function createNextConfig(options: ZoneConfigOptions, env: Env = process.env): NextConfig {
  const topology = resolveTopology(env);
  const extra = options.next ?? {};
  return {
    reactStrictMode: true,
    // Lint and type checks are their own turbo tasks (`npm run lint`, `npm run check-types`),
    // run once per workspace in CI; `next build` need not repeat them.
    eslint: { ignoreDuringBuilds: true },
    typescript: { ignoreBuildErrors: true },
    ...extra,
    transpilePackages: [...INTERNAL_PACKAGES, ...(extra.transpilePackages ?? [])],
    env: { ...browserEnv(env), ZONE_NAME: options.zone, ...extra.env },
    webpack(config, context) {
      const compiler = context.isServer ? 'server' : 'client';
      // Next also runs an edge-server compiler; nextjs-mf only supports 'server' and 'client'.
      if (context.nextRuntime !== 'edge') {
        config.plugins.push(
          new NextFederationPlugin(federationOptions(topology, options.zone, compiler, options.exposes)),
        );
      }
      return typeof extra.webpack === 'function' ? extra.webpack(config, context) : config;
    },
  };
}
