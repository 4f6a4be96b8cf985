/**
 * The registry: each remote's releases (version → origin), the pointer to the live one, an
 * optional canary, and the moves that changed them. Hosts read it on every request
 * (createRegistryReader); writers change it through a store (store.ts).
 *
 * In production the same operations (register, point, canary, read) would be a key in an edge
 * config or a registry service; here it is a file, or the same JSON behind any HTTP server that
 * answers with an ETag and takes a PUT with If-Match.
 */
export * from './model.ts';
export { readRegistry } from './file-store.ts';
export { createRegistryReader, type RegistryReader } from './reader.ts';
