/**
 * The benchmark's control build (FEDERATION_CONTROL=local): no federation; `shop/Header`
 * resolves through shop's package exports (the `federation-control` condition) to its source.
 */
import type { NextConfig } from 'next';
import type { ZoneBuild } from '../zone.ts';
import { compilerOf, extendWebpack } from './webpack.ts';

export const CONTROL_CONDITION = 'federation-control';

export function withControlBuild(config: NextConfig, zone: ZoneBuild): NextConfig {
  if (!zone.control) return config;
  return extendWebpack(config, (webpackConfig, context) => {
    webpackConfig.resolve = { ...webpackConfig.resolve, conditionNames: [CONTROL_CONDITION, '...'] };
    // The host app awaits shop's modules at its top level before hydrating (@repo/host HostApp).
    // Every browser Next 15 supports runs async functions; nextjs-mf says so in federated
    // builds, and saying it here keeps webpack from warning about it in this one.
    if (compilerOf(context) === 'client') {
      webpackConfig.output = { ...webpackConfig.output, environment: { ...webpackConfig.output?.environment, asyncFunction: true } };
    }
  });
}
