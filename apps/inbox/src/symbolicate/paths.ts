/**
 * How a source path of a map (or of webpack's dev modules) is shown: the name a developer knows,
 * `src/exposed/BrokenComponent.tsx`, and whether it is the application's own code.
 */

/** `webpack://<namespace>/` (empty namespace too) or `webpack-internal:///(<layer>)/`. */
const BUNDLER_PREFIX = /^(?:webpack:\/\/[^/]*\/|webpack-internal:\/\/\/(?:\([^)]*\)\/)?)/;

/**
 * The display name of a source: the bundler's scheme and namespace (or dev layer) dropped, then
 * the leading `./` and `../` steps (relative to the zone's directory, which the path does not
 * name), so `webpack://_N_E/../../packages/host/src/x.tsx` reads `packages/host/src/x.tsx` and a
 * rebuild with other chunk names still names the same file.
 */
export function displayName(source: string): string {
  const bare = source.replace(BUNDLER_PREFIX, '');
  if (bare === source) return source;
  return bare.replace(/^(?:\.\.?\/)+/, '') || source;
}

/** Whether a frame's webpack path is webpack's own dev-mode module URL. */
export function isWebpackInternal(path: string): boolean {
  return path.startsWith('webpack-internal:///');
}

/**
 * Library and bundler code is not the application's: anything under `node_modules/`, webpack's
 * runtime modules (`webpack/runtime/…`, `webpack/bootstrap`, `(webpack)/…`) and externals.
 */
export function isLibrarySource(name: string): boolean {
  return (
    /(?:^|\/)node_modules\//.test(name) ||
    /^(?:webpack\/|\(webpack\))/.test(name) ||
    name.startsWith('external ')
  );
}
