/**
 * The benchmark's control build (FEDERATION_CONTROL=local) resolves `@repo/host/remote-source` to
 * this file: shop's modules compiled into the host from source, no federation, so the benchmark
 * can measure what federation costs with everything else the same.
 */
/** Compiled in: available whatever shop's server does. */
export const FROM_RELEASE_ORIGIN = false;

const MODULES: Record<string, () => Promise<unknown>> = {
  './Header': () => import('shop/Header'),
  './BrokenComponent': () => import('shop/BrokenComponent'),
  './ProductListPage': () => import('shop/ProductListPage'),
  './ProductPage': () => import('shop/ProductPage'),
};

/** Nothing to register: there is no container. */
export function registerRelease(): void {}

/** Nor anything to forget. */
export function forgetRelease(): void {}

export async function loadExposed(...[, expose]: [name: string, expose: string]): Promise<unknown> {
  const load = MODULES[expose];
  if (!load) throw new Error(`shop exposes no ${expose}`);
  return load();
}
