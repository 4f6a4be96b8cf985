/**
 * What the zones share through Module Federation, on top of nextjs-mf's defaults.
 *
 * Why this exists: Next 15 compiles its pages-router client runtime (the router, `next/link`, …)
 * in the `pages-dir-browser` webpack layer, but nextjs-mf declares `next/router`, `next/link`, …
 * as shared modules without a layer. The host then ends up with two copies of the router module:
 * the layered one Next mounts, and an unlayered shared one that shop's components import. The
 * second has no mounted router, so shop's Header crashes with "NextRouter was not mounted" and
 * its links do full page reloads.
 *
 * The fix, for the client compiler only (the server bundle does not use that layer):
 * - every zone shares these modules *in* the `pages-dir-browser` layer, so the copy Next mounts is
 *   the one in the share scope;
 * - a remote keeps its own layered copies in a private share scope, used only by its own pages,
 *   so they never compete with the host's copy;
 * - an unlayered entry with `import: false` makes the remote's exposed modules (which sit outside
 *   any layer) always take the host's copy instead of bundling one.
 */

export const PAGES_DIR_BROWSER_LAYER = 'pages-dir-browser';

/** The Next modules that must be singletons between a host and the remotes it renders. */
export const NEXT_CLIENT_SINGLETONS = [
  'next/router',
  'next/link',
  'next/head',
  'next/dynamic',
  'next/image',
  'next/script',
] as const;

export interface SharedEntry {
  singleton: boolean;
  requiredVersion: false;
  import?: false | string;
  shareKey?: string;
  request?: string;
  layer?: string;
  issuerLayer?: string;
  shareScope?: string;
}

export type SharedConfig = Record<string, SharedEntry>;

/** The name of a remote's private share scope for its own pages' copies of Next's modules. */
export function privateShareScope(zone: string): string {
  return `${zone}-own-pages`;
}

export function clientSharedConfig(zone: string, isRemote: boolean): SharedConfig {
  const shared: SharedConfig = {};
  for (const request of NEXT_CLIENT_SINGLETONS) {
    shared[`${request}#${PAGES_DIR_BROWSER_LAYER}`] = {
      singleton: true,
      requiredVersion: false,
      shareKey: request,
      request,
      layer: PAGES_DIR_BROWSER_LAYER,
      issuerLayer: PAGES_DIR_BROWSER_LAYER,
      ...(isRemote ? { shareScope: privateShareScope(zone) } : {}),
    };
    shared[request] = { singleton: true, requiredVersion: false, import: false };
  }
  return shared;
}
