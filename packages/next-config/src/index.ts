/**
 * One next.config for every zone, composed of small transforms (src/transforms), each doing one
 * thing to the config. Each app's next.config.ts only names its zone; ports, URLs and remotes
 * come from the topology, what a remote exposes from its package.json.
 */
import type { NextConfig } from 'next';
import type { Env } from '@repo/topology';
import { withBrowserBuildPlugin } from './transforms/browser-build-plugin.ts';
import { withControlBuild } from './transforms/control-build.ts';
import { withCrossOriginScripts } from './transforms/cross-origin-scripts.ts';
import { withDistDir } from './transforms/dist-dir.ts';
import { withFederation } from './transforms/federation.ts';
import { withInternalPackages } from './transforms/internal-packages.ts';
import { withOwnerMetadata } from './transforms/owner-metadata.ts';
import { withRemoteEntryCache } from './transforms/remote-entry-cache.ts';
import { withSentryBundleSize } from './transforms/sentry-bundle-size.ts';
import { withServerExternals } from './transforms/server-externals.ts';
import { withSourceMaps } from './transforms/source-maps.ts';
import { withZoneEnv } from './transforms/zone-env.ts';
import { resolveZoneBuild, type ZoneBuild, type ZoneConfigOptions } from './zone.ts';

export type { ZoneConfigOptions } from './zone.ts';

export type ConfigTransform = (config: NextConfig, zone: ZoneBuild) => NextConfig;

/** In order; each webpack step runs after the ones before it. */
export const TRANSFORMS: readonly ConfigTransform[] = [
  withDistDir,
  withInternalPackages,
  withServerExternals,
  withZoneEnv,
  withCrossOriginScripts,
  withRemoteEntryCache,
  withFederation,
  withControlBuild,
  withOwnerMetadata,
  withSentryBundleSize,
  withBrowserBuildPlugin,
  withSourceMaps,
];

export interface CreateNextConfigOptions extends ZoneConfigOptions {
  /** Anything else the zone wants in its Next config; the transforms add to it. */
  next?: NextConfig;
}

/**
 * The zone's Next config, as the function of Next's phase that Next calls (the phase decides the
 * output directory, see dist-dir.ts). The zone is resolved here, when next.config loads, so a
 * broken topology fails the load instead of a page.
 */
export function createNextConfig(options: CreateNextConfigOptions, env: Env = process.env): (phase: string) => NextConfig {
  const zone = resolveZoneBuild(options, env);
  const base: NextConfig = {
    reactStrictMode: true,
    // Lint and type checks are their own turbo tasks (`npm run lint`, `npm run check-types`),
    // run once per workspace in CI; `next build` need not repeat them.
    eslint: { ignoreDuringBuilds: true },
    typescript: { ignoreBuildErrors: true },
    ...options.next,
  };
  return (phase) => TRANSFORMS.reduce((config, transform) => transform(config, { ...zone, phase }), base);
}
