/**
 * A remote's code runs inside other zones' pages: stamp all of it with its owner and release, so
 * Sentry can tell whose code threw wherever it runs (@repo/observability's owner-loader).
 */
import type { NextConfig } from 'next';
import { createRequire } from 'node:module';
import type { RuleSetRule } from 'webpack';
import type { ZoneBuild } from '../zone.ts';
import { extendWebpack } from './webpack.ts';

export const OWNER_LOADER = createRequire(import.meta.url).resolve('@repo/observability/owner-loader');

/** The webpack rule that stamps a zone's own modules (not node_modules) with owner metadata. */
export function ownerMetadataRule(owner: string, release: string): RuleSetRule {
  return {
    test: /\.(?:[cm]?[jt]sx?)$/,
    exclude: /node_modules/,
    enforce: 'post',
    use: [{ loader: OWNER_LOADER, options: { owner, release } }],
  };
}

export function withOwnerMetadata(config: NextConfig, zone: ZoneBuild): NextConfig {
  if (!zone.zone.isRemote) return config;
  return extendWebpack(config, (webpackConfig) => {
    webpackConfig.module = { ...webpackConfig.module, rules: [...(webpackConfig.module?.rules ?? []), ownerMetadataRule(zone.zone.owner, zone.release)] };
  });
}
