/**
 * The registry: each remote's releases (version → origin), the pointer to the live one, an
 * optional canary, and the moves that changed them. Hosts read it on every request
 * (createRegistryReader); writers change it through a store (store.ts).
 *
 * In production the same operations (register, point, canary, read) would be a key in an edge
 * config or a registry service; here it is a file, or the same JSON behind any HTTP server that
 * answers with an ETag and takes a PUT with If-Match.
 */
import type { RemoteName } from '@repo/topology';
import { updateRegistryFileSync } from './file-store.ts';
import { movingLive, type PointerMove } from './model.ts';

export * from './model.ts';
export { readRegistry } from './file-store.ts';
export { createRegistryReader, type RegistryReader } from './reader.ts';

/**
 * @deprecated Use `moveLive(openRegistryStore(file), …)` from `@repo/releases/store` (async, and
 * a file or a URL). Kept, file-only and blocking, for callers not moved yet; it takes the same
 * lock as the store, so it never loses another writer's change.
 */
export function moveLive(file: string, remote: RemoteName, release: string, by: string): PointerMove {
  return updateRegistryFileSync(file, (registry) => movingLive(registry, remote, release, by, undefined, file));
}
