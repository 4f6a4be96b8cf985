/**
 * webpack loader: stamps every module of a zone's own code with Sentry module metadata
 * `{ owner, release }`, using the same registration snippet as Sentry's bundler plugin.
 *
 * Why a loader and not withSentryConfig's `moduleMetadata`: Sentry's plugin injects metadata per
 * emitted file and only in production builds; under `next dev` it is not added at all. A loader
 * runs in both, once per module. In production the snippet keys the metadata by the chunk that
 * holds the module (all of one zone's code), under `next dev` by each module's own file.
 */
const { generateModuleMetadataInjectorCode } = require('@sentry/bundler-plugins/core');

/** @this {import('webpack').LoaderContext<{ owner: string; release: string }>} */
module.exports = function ownerLoader(source, map) {
  const { owner, release } = this.getOptions();
  const prefix = `${generateModuleMetadataInjectorCode({ owner, release }).code()}\n`;
  this.callback(null, `${prefix}${source}`, shiftedMap(map, prefix.split('\n').length - 1));
};

/**
 * The incoming map (from SWC) moved down by the lines the snippet takes: each `;` in `mappings`
 * is a generated line with nothing mapped. Without it every frame of the zone's code resolves
 * lines below the statement that threw.
 */
function shiftedMap(map, lines) {
  if (!map) return map;
  const parsed = typeof map === 'string' ? JSON.parse(map) : map;
  return { ...parsed, mappings: `${';'.repeat(lines)}${parsed.mappings}` };
}
