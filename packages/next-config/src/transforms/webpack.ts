/** How a transform adds to Next's `webpack` hook without replacing what is already there. */
import type { NextConfig } from 'next';
import type { WebpackConfigContext } from 'next/dist/server/config-shared';
import type { Configuration } from 'webpack';

export type { WebpackConfigContext };

/** Which of Next's compilers a webpack hook call is for. */
export function compilerOf(context: WebpackConfigContext): 'client' | 'server' | 'edge' {
  if (!context.isServer) return 'client';
  return context.nextRuntime === 'edge' ? 'edge' : 'server';
}

/** Runs `step` on the webpack config after the config's existing hook, if any, has run. */
export function extendWebpack(
  config: NextConfig,
  step: (webpackConfig: Configuration, context: WebpackConfigContext) => void,
): NextConfig {
  const previous = config.webpack;
  return {
    ...config,
    webpack(webpackConfig: Configuration, context: WebpackConfigContext): Configuration {
      const result = (previous ? previous(webpackConfig, context) : webpackConfig) as Configuration;
      step(result, context);
      return result;
    },
  };
}
