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
  const snippet = generateModuleMetadataInjectorCode({ owner, release }).code();
  this.callback(null, `${snippet}\n${source}`, map);
};
