/**
 * Where the registry lives: FEDERATION_REGISTRY, a file path or an http(s) URL, else
 * `.federation/registry.json` at the repository root. Node-only (it locates itself on disk); the
 * zones' servers get the location in FEDERATION_REGISTRY from `next-zone`, which uses this.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { isRegistryUrl } from './model.ts';

// Not `new URL('…', import.meta.url)`: webpack (shop's instrumentation and the hosts' servers
// import the store) takes that form for an asset to bundle.
export const DEFAULT_REGISTRY_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../.federation/registry.json');

/** FEDERATION_REGISTRY (a file path or an http(s) URL), else the repository's `.federation/registry.json`. */
export function registryLocation(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEDERATION_REGISTRY?.trim() || DEFAULT_REGISTRY_FILE;
}

/** The same location, under the name its file users know it by. */
export const registryFile = registryLocation;
