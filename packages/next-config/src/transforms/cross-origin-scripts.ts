/**
 * Every zone loads scripts as CORS scripts, and a remote lets other zones' pages do so: a script
 * from another origin loaded without CORS is opaque, and an error in it reaches `window.onerror`
 * as "Script error." with no stack, so Sentry could neither keep it nor tell whose it is. The
 * remote's own script tags are made CORS by @repo/federation-runtime's browser loader.
 */
import type { NextConfig } from 'next';
import type { ZoneBuild } from '../zone.ts';
import { compilerOf, extendWebpack } from './webpack.ts';

/**
 * Lets other zones' pages load a remote's static files as CORS scripts, and read their resource
 * timing: without Timing-Allow-Origin a cross-origin entry has only its duration, so the resource
 * spans of shop's chunks in a host's page would carry no sizes or phases.
 */
export const REMOTE_ASSET_HEADERS = [
  {
    source: '/_next/static/:path*',
    headers: [
      { key: 'Access-Control-Allow-Origin', value: '*' },
      { key: 'Timing-Allow-Origin', value: '*' },
    ],
  },
];

export function withCrossOriginScripts(config: NextConfig, zone: ZoneBuild): NextConfig {
  const own = config.headers;
  const withHeaders: NextConfig = zone.zone.isRemote
    ? { ...config, headers: async () => [...((await own?.()) ?? []), ...REMOTE_ASSET_HEADERS] }
    : config;
  // webpack's chunks (shop's included, in a host's page) load as CORS scripts too.
  return extendWebpack(withHeaders, (webpackConfig, context) => {
    if (compilerOf(context) === 'client') webpackConfig.output = { ...webpackConfig.output, crossOriginLoading: 'anonymous' };
  });
}
