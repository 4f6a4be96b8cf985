/**
 * For the transforms' tests: a zone's build as createNextConfig resolves it, and a config's
 * webpack hook called the way Next calls it for each of its compilers.
 */
import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants.js';
import { defaultConfig, type NextConfigComplete } from 'next/dist/server/config-shared.js';
import webpack, { type Configuration } from 'webpack';
import type { Env } from '@repo/topology';
import type { WebpackConfigContext } from './transforms/webpack.ts';
import { resolveZoneBuild, type ZoneBuild, type ZoneConfigOptions } from './zone.ts';

/** A zone's build at version 1.0.0, for a Next phase (default: `next build`). */
export function zoneBuild(options: Partial<ZoneConfigOptions> & Pick<ZoneConfigOptions, 'zone'>, env: Env = {}, phase = PHASE_PRODUCTION_BUILD): ZoneBuild {
  return { ...resolveZoneBuild({ version: '1.0.0', packageJson: {}, ...options }, env), phase };
}

export type Compiler = 'client' | 'server' | 'edge';

/** What Next passes a webpack hook for `compiler`. */
export function webpackContext(compiler: Compiler): WebpackConfigContext {
  return {
    dir: process.cwd(),
    dev: false,
    isServer: compiler !== 'client',
    nextRuntime: compiler === 'client' ? undefined : compiler === 'edge' ? 'edge' : 'nodejs',
    buildId: 'test-build',
    // Next's defaults stand for the merged config: no transform reads it.
    config: defaultConfig as unknown as NextConfigComplete,
    defaultLoaders: { babel: {} },
    totalPages: 1,
    webpack,
  };
}

/** Runs the config's webpack hook on a fresh webpack config shaped like the one Next builds. */
export function runWebpackHook(config: NextConfig, compiler: Compiler): Configuration {
  const webpackConfig: Configuration = { plugins: [], module: { rules: [] }, output: {}, resolve: {} };
  return config.webpack ? (config.webpack(webpackConfig, webpackContext(compiler)) as Configuration) : webpackConfig;
}
