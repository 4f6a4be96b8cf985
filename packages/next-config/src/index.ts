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
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ChunkCompositionPlugin } from './chunk-composition-plugin.ts';
import { clientSharedConfig, type SharedConfig } from './shared.ts';

const require = createRequire(import.meta.url);
/** Runtime plugin evaluated in the hosts' Node servers (see the file for why). */
export const SERVER_REMOTE_LOADER = require.resolve('./runtime/server-remote-loader.ts');
/** Runtime plugin evaluated in browsers: remote scripts load with CORS (see the file for why). */
export const BROWSER_REMOTE_LOADER = require.resolve('./runtime/browser-remote-loader.ts');
/** webpack loader that stamps a remote's modules with their owner (see the file for why). */
export const OWNER_LOADER = require.resolve('@repo/observability/owner-loader');

export interface ZoneConfigOptions {
  zone: ZoneName;
  /**
   * Modules this zone exposes to hosts, `{ './Header': './src/exposed/Header.tsx' }`. Default, for
   * a remote: its package.json `exports` (see exposesFromExports).
   */
  exposes?: Record<string, string>;
  /** The zone's version, for its release `<zone>@<version>`; default: its package.json's. */
  version?: string;
  /** The zone's package.json; default: the one in the current directory (Next runs in the app). */
  packageJson?: ZonePackageJson;
  /** Anything else to merge into the Next config. */
  next?: NextConfig;
}

/** Workspace packages the zones import as TypeScript source ("just in time" packages). */
export const INTERNAL_PACKAGES = ['@repo/topology', '@repo/host', '@repo/observability'];

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
    runtimePlugins: [compiler === 'server' ? SERVER_REMOTE_LOADER : BROWSER_REMOTE_LOADER],
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

export interface ZonePackageJson {
  version?: string;
  exports?: Record<string, { types?: string } | string>;
}

function readZonePackageJson(): ZonePackageJson {
  return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as ZonePackageJson;
}

/**
 * A remote declares what it exposes once, in its package.json `exports`: each entry's `types`
 * path is the module (hosts type-check `shop/Header` against it). `{ "./Header": { "types":
 * "./src/exposed/Header.tsx" } }` → `{ './Header': './src/exposed/Header.tsx' }`.
 */
export function exposesFromExports(exports: ZonePackageJson['exports'] = {}): Record<string, string> {
  const exposes: Record<string, string> = {};
  for (const [key, target] of Object.entries(exports)) {
    const path = typeof target === 'string' ? target : target.types;
    if (key.startsWith('./') && path) exposes[key] = path;
  }
  return exposes;
}

/**
 * The benchmark's control build (FEDERATION_CONTROL=local): the same app with shop's modules
 * compiled in from source instead of loaded from the running remote, built into its own
 * directory. It exists only to measure what federation costs.
 */
export const CONTROL_DIST_DIR = '.next-control';
const CONTROL_CONDITION = 'federation-control';

/** Where a release build lives, beside the zone's normal `.next`. */
export function releaseDistDir(version: string): string {
  return `.releases/${version}`;
}

/** The Sentry release of a zone's code: `<owner>@<version>` (CONTRACT.md). */
export function zoneRelease(zone: ZoneName, version: string): string {
  return `${zone}@${version}`;
}

export function createNextConfig(options: ZoneConfigOptions, env: Env = process.env): NextConfig {
  const topology = resolveTopology(env);
  const zone = topology.zones[options.zone];
  const pkg = options.packageJson ?? readZonePackageJson();
  // `next-zone --release 1.1.0` builds and serves a release in its own directory, so several
  // releases of a remote can exist side by side (see @repo/releases).
  const releaseVersion = env.ZONE_RELEASE_VERSION?.trim() || undefined;
  const release = zoneRelease(zone.owner, releaseVersion ?? options.version ?? pkg.version ?? '0.0.0');
  const exposes = options.exposes ?? (zone.isRemote ? exposesFromExports(pkg.exports) : {});
  const control = env.FEDERATION_CONTROL === 'local';
  const extra = options.next ?? {};
  const buildIdentity: Record<string, string> = {
    ZONE_NAME: options.zone,
    ZONE_RELEASE: release,
    ...(env.SENTRY_ENVIRONMENT ? { SENTRY_ENVIRONMENT: env.SENTRY_ENVIRONMENT } : {}),
    // A deliberate defect compiled into a release, for the workshop (`next-zone --defect header`).
    ...(env.ZONE_DEFECT ? { ZONE_DEFECT: env.ZONE_DEFECT } : {}),
  };
  return {
    reactStrictMode: true,
    ...(control ? { distDir: CONTROL_DIST_DIR } : releaseVersion ? { distDir: releaseDistDir(releaseVersion) } : {}),
    // Lint and type checks are their own turbo tasks (`npm run lint`, `npm run check-types`),
    // run once per workspace in CI; `next build` need not repeat them.
    eslint: { ignoreDuringBuilds: true },
    typescript: { ignoreBuildErrors: true },
    ...extra,
    transpilePackages: [...INTERNAL_PACKAGES, ...(extra.transpilePackages ?? [])],
    // A remote's static files are scripts other zones' pages load with CORS.
    ...(zone.isRemote ? { headers: async () => [...(await extra.headers?.()) ?? [], ...remoteAssetHeaders()] } : {}),
    env: { ...browserEnv(env), ...buildIdentity, ...extra.env },
    webpack(config, context) {
      const compiler = context.isServer ? 'server' : 'client';
      if (control) {
        // No federation: `shop/Header` resolves through shop's package exports to its source.
        config.resolve.conditionNames = [CONTROL_CONDITION, '...'];
      } else if (context.nextRuntime !== 'edge') {
        // Next also runs an edge-server compiler; nextjs-mf only supports 'server' and 'client'.
        config.plugins.push(new NextFederationPlugin(federationOptions(topology, options.zone, compiler, exposes)));
      }
      // Load every chunk as a CORS script, so errors in another zone's code keep their stack
      // (see runtime/browser-remote-loader.ts).
      if (compiler === 'client') config.output.crossOriginLoading = 'anonymous';
      // The host app awaits shop's modules at its top level before hydrating (@repo/host
      // HostApp). Every browser Next 15 supports runs async functions; saying so keeps webpack
      // from warning about it in builds where nextjs-mf does not set it (the control build).
      if (compiler === 'client') config.output.environment = { ...config.output.environment, asyncFunction: true };
      if (compiler === 'client' && env.BENCH_CHUNK_COMPOSITION === '1') {
        config.plugins.push(new ChunkCompositionPlugin('chunk-composition.json'));
      }
      // A remote's code runs inside other zones' pages: stamp all of it with its owner and
      // release, so Sentry can tell whose code threw wherever it runs.
      if (zone.isRemote) {
        config.module.rules.push(ownerMetadataRule(zone.owner, release));
      }
      return typeof extra.webpack === 'function' ? extra.webpack(config, context) : config;
    },
  };
}

/** The webpack rule that stamps a zone's own modules (not node_modules) with owner metadata. */
export function ownerMetadataRule(owner: ZoneName, release: string) {
  return {
    test: /\.(?:[cm]?[jt]sx?)$/,
    exclude: /node_modules/,
    enforce: 'post' as const,
    use: [{ loader: OWNER_LOADER, options: { owner, release } }],
  };
}

/** Lets other zones' pages load a remote's scripts as CORS scripts (readable errors). */
export function remoteAssetHeaders() {
  return [
    {
      source: '/_next/static/:path*',
      headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }],
    },
  ];
}
