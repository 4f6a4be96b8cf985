/**
 * The zones' Node servers load Sentry's server SDK and OpenTelemetry from node_modules instead of
 * bundling them. Bundled, they made every zone's `instrumentation` about 1,700 modules, compiled
 * on each cold `next dev` (and again for the pages that import @repo/observability), and webpack
 * warned about the dynamic requires Sentry uses to find optional libraries.
 *
 * Two things bundled them:
 * - Next bundles every dependency of its `instrument` layer (instrumentation.ts) unless the
 *   package is in `serverExternalPackages` (its "bundled" layers, next/dist/lib/constants.js
 *   WEBPACK_LAYERS.GROUP.bundled; next/dist/build/handle-externals.js, `isAppLayer`).
 * - nextjs-mf, on the server compiler, wraps Next's externals function and keeps as externals
 *   only next, react, react-dom and styled-jsx: everything else Next left external is bundled
 *   (@module-federation/nextjs-mf, NextFederationPlugin/apply-server-plugins.js,
 *   handleServerExternals). So `serverExternalPackages` would change nothing in a federated
 *   zone: this transform appends an externals function of its own instead, after the one
 *   nextjs-mf wraps (it applies to the control build, without nextjs-mf, the same way).
 *
 * Only packages that are plain Node code, need no transpiling and are loaded the same way by
 * every zone's server: never @repo/* (TypeScript source, see internal-packages.ts), and nothing
 * module federation shares (react, next: nextjs-mf decides those). The browser and edge
 * compilers are left alone: there is no node_modules to load from at run time.
 */
import type { NextConfig } from 'next';
import type { Configuration, ExternalItemFunctionData } from 'webpack';
import { compilerOf, extendWebpack } from './webpack.ts';

/** Package names, or scopes ending in `/`, that the Node servers require at run time. */
export const SERVER_EXTERNAL_PACKAGES: readonly string[] = [
  // @sentry/nextjs's server entry, @sentry/node and what they are built on (core, opentelemetry,
  // server-utils, …); its browser entry is what the client compiler bundles, unaffected.
  '@sentry/',
  '@opentelemetry/',
  // What @sentry/node hooks module loading with; Next lists require-in-the-middle itself.
  'import-in-the-middle',
  'require-in-the-middle',
];

/** Whether a module request names one of `packages` (the package itself or a path in it). */
export function isServerExternal(request: string, packages: readonly string[] = SERVER_EXTERNAL_PACKAGES): boolean {
  return packages.some((name) => (name.endsWith('/') ? request.startsWith(name) : request === name || request.startsWith(`${name}/`)));
}

type ExternalsCallback = (error?: null | Error, result?: string) => void;

/** The webpack externals function: `require()` the package at run time. */
export function externalizeServerPackages({ request }: Pick<ExternalItemFunctionData, 'request'>, callback: ExternalsCallback): void {
  if (request !== undefined && isServerExternal(request)) callback(null, `commonjs ${request}`);
  else callback();
}

export function withServerExternals(config: NextConfig): NextConfig {
  return extendWebpack(config, (webpackConfig: Configuration, context) => {
    if (compilerOf(context) !== 'server') return;
    // Last: nextjs-mf wraps the first externals function it finds (Next's), which must stay first.
    const existing = webpackConfig.externals;
    webpackConfig.externals = [...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]), externalizeServerPackages];
  });
}
