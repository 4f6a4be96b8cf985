/**
 * Sentry at its documented minimum in the browser build: the SDK guards code a production page
 * never runs with build-time flags, which a bundler's DefinePlugin turns into dead code
 * (docs.sentry.io, JavaScript "Tree Shaking"). `withSentryConfig` sets them from its
 * `webpack.treeshake` options (@sentry/nextjs build/cjs/config/webpack.js, setupTreeshakingFromConfig);
 * the zones do not use it, so this transform does.
 *
 * - `__SENTRY_DEBUG__: false`: the SDK's debug logging (and the span logging it does under
 *   `debug: true`), which no zone turns on in production. Kept under `next dev`.
 * - Not `__SENTRY_TRACING__: false`: every page view is traced.
 * - Not the Replay flags (`__RRWEB_EXCLUDE_*`, `__SENTRY_EXCLUDE_REPLAY_WORKER__`): Replay is not
 *   in the bundle, so they would remove nothing.
 */
import type { NextConfig } from 'next';
import { compilerOf, extendWebpack } from './webpack.ts';

export const SENTRY_BROWSER_FLAGS = { __SENTRY_DEBUG__: false } as const;

export function withSentryBundleSize(config: NextConfig): NextConfig {
  return extendWebpack(config, (webpackConfig, context) => {
    if (context.dev || compilerOf(context) !== 'client') return;
    // The compiler's own webpack (Next's or the one nextjs-mf has Next use), not a second copy.
    webpackConfig.plugins = [...(webpackConfig.plugins ?? []), new context.webpack.DefinePlugin(SENTRY_BROWSER_FLAGS)];
  });
}
