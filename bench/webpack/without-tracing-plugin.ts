/**
 * The benchmark's build of a zone without Sentry's tracing code: what tracing costs a page in
 * bytes is the difference between this build and the zone's own. It defines
 * `__SENTRY_TRACING__: false`, the flag Sentry's packages guard their tracing code with (what
 * `withSentryConfig`'s `webpack.treeshake.removeTracing` sets), so the minifier drops that code,
 * and records chunk composition like every benchmark build.
 *
 * Set through ZONE_BROWSER_BUILD_PLUGIN (see chunk-composition-plugin.ts); the zones' builds
 * never carry it.
 */
import type { Compiler } from 'webpack';
import ChunkCompositionPlugin from './chunk-composition-plugin.ts';

export default class WithoutTracingPlugin {
  apply(compiler: Compiler) {
    // The compiler's own webpack (Next's), not a second copy from node_modules.
    new compiler.webpack.DefinePlugin({ __SENTRY_TRACING__: false }).apply(compiler);
    new ChunkCompositionPlugin().apply(compiler);
  }
}
