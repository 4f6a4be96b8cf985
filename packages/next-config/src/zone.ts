/**
 * What one build of a zone is: its place in the topology, its release, what it exposes, and the
 * switches the environment sets (a named release, the benchmark's control build, a deliberate
 * defect). Resolved once per config load; the transforms read this, never the environment: this
 * is the only module of the package that does.
 */
import type { WebpackPluginInstance } from 'webpack';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPOLOGY_ENV_NAMES, resolveTopology, type Env, type Topology, type Zone, type ZoneName } from '@repo/topology';

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
}

export interface ZonePackageJson {
  version?: string;
  exports?: Record<string, { types?: string } | string>;
}

/** A webpack plugin class the environment asks the browser build to add (see browserBuildPlugin). */
export type WebpackPluginClass = new () => WebpackPluginInstance;

export interface ZoneBuild {
  readonly topology: Topology;
  readonly zone: Zone;
  /** The Sentry release of the zone's code, `<owner>@<version>` (docs/contract.md). */
  readonly release: string;
  /**
   * Set when the zone is built or served as a named release (`next-zone build --release 1.1.0`),
   * so several releases of a remote can live side by side (see @repo/releases).
   */
  readonly releaseVersion: string | undefined;
  readonly exposes: Record<string, string>;
  /**
   * The benchmark's control build (FEDERATION_CONTROL=local): the same app with shop's modules
   * compiled in from source instead of loaded from the running remote. It exists only to measure
   * what federation costs.
   */
  readonly control: boolean;
  /** Compiled into the zone's bundles as `process.env.*`: the topology, the zone's identity. */
  readonly bundleEnv: Readonly<Record<string, string>>;
  /**
   * ZONE_BROWSER_BUILD_PLUGIN: the path of a module whose default export is a webpack plugin
   * class, added to the browser build. The benchmark measures chunk composition with it
   * (bench/webpack); the zones' own builds never set it.
   */
  readonly browserBuildPlugin: WebpackPluginClass | undefined;
  /** Next's phase (`phase-development-server`, `phase-production-build`, …). */
  readonly phase: string;
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

/** The topology variables that are set, so browser bundles resolve the same topology. */
export function topologyBundleEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TOPOLOGY_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

function readZonePackageJson(): ZonePackageJson {
  return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as ZonePackageJson;
}

/**
 * Loaded while Next reads next.config, because only then can a TypeScript module be required:
 * Next's loader for next.config.ts compiles what it requires, and only for as long as it loads.
 */
function loadPluginClass(path: string): WebpackPluginClass {
  const loaded = createRequire(import.meta.url)(path) as { default?: unknown };
  if (typeof loaded.default !== 'function') {
    throw new Error(`ZONE_BROWSER_BUILD_PLUGIN=${path}: its default export is not a webpack plugin class`);
  }
  return loaded.default as WebpackPluginClass;
}

/** Everything but Next's phase, which Next passes later (see createNextConfig). */
export function resolveZoneBuild(options: ZoneConfigOptions, env: Env): Omit<ZoneBuild, 'phase'> {
  const topology = resolveTopology(env);
  const zone = topology.zones[options.zone];
  const pkg = options.packageJson ?? readZonePackageJson();
  const releaseVersion = env.ZONE_RELEASE_VERSION?.trim() || undefined;
  const release = `${zone.owner}@${releaseVersion ?? options.version ?? pkg.version ?? '0.0.0'}`;
  const pluginPath = env.ZONE_BROWSER_BUILD_PLUGIN?.trim();
  return {
    topology,
    zone,
    release,
    releaseVersion,
    exposes: options.exposes ?? (zone.isRemote ? exposesFromExports(pkg.exports) : {}),
    control: env.FEDERATION_CONTROL === 'local',
    bundleEnv: {
      ...topologyBundleEnv(env),
      ZONE_NAME: zone.name,
      ZONE_RELEASE: release,
      ...(env.SENTRY_ENVIRONMENT ? { SENTRY_ENVIRONMENT: env.SENTRY_ENVIRONMENT } : {}),
      // The browser has no environment: its share of traced page views is the build's.
      ...(env.SENTRY_TRACES_SAMPLE_RATE ? { SENTRY_TRACES_SAMPLE_RATE: env.SENTRY_TRACES_SAMPLE_RATE } : {}),
      // A deliberate defect compiled into a release, for the workshop (`next-zone --defect header`).
      ...(env.ZONE_DEFECT ? { ZONE_DEFECT: env.ZONE_DEFECT } : {}),
    },
    browserBuildPlugin: pluginPath ? loadPluginClass(pluginPath) : undefined,
  };
}
