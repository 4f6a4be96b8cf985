/**
 * Readable frames from production builds: webpack writes hidden source maps (no
 * `sourceMappingURL` in the JS) in every compiler, and once all compilers are done
 * @repo/sourcemaps gives every JS file a debug ID with sentry-cli, moves the maps out of what
 * Next serves and records the build's release for the upload (uploading it too when the local
 * inbox is up). `next dev` keeps Next's own devtool: Next reverts any other.
 */
import type { NextConfig } from 'next';
import { afterProductionBuild } from '@repo/sourcemaps';
import type { ZoneBuild } from '../zone.ts';
import { extendWebpack } from './webpack.ts';

export const PRODUCTION_DEVTOOL = 'hidden-source-map';

type AfterCompile = NonNullable<NonNullable<NextConfig['compiler']>['runAfterProductionCompile']>;

export function withSourceMaps(config: NextConfig, zone: ZoneBuild, after: typeof afterProductionBuild = afterProductionBuild): NextConfig {
  const previous = config.compiler?.runAfterProductionCompile;
  const runAfterProductionCompile: AfterCompile = async (metadata) => {
    await previous?.(metadata);
    await after(metadata.distDir, { zone: zone.zone.name, release: zone.release });
  };
  return {
    ...extendWebpack(config, (webpackConfig, context) => {
      if (!context.dev) webpackConfig.devtool = PRODUCTION_DEVTOOL;
    }),
    compiler: { ...config.compiler, runAfterProductionCompile },
  };
}
