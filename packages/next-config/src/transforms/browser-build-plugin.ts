/** Adds the webpack plugin named by ZONE_BROWSER_BUILD_PLUGIN (see ZoneBuild) to the browser build. */
import type { NextConfig } from 'next';
import type { ZoneBuild } from '../zone.ts';
import { compilerOf, extendWebpack } from './webpack.ts';

export function withBrowserBuildPlugin(config: NextConfig, zone: ZoneBuild): NextConfig {
  const Plugin = zone.browserBuildPlugin;
  if (!Plugin) return config;
  return extendWebpack(config, (webpackConfig, context) => {
    if (compilerOf(context) === 'client') webpackConfig.plugins = [...(webpackConfig.plugins ?? []), new Plugin()];
  });
}
