/**
 * Where the registry lives: FEDERATION_REGISTRY, a file path or an http(s) URL, else
 * `.federation/registry.json` at the repository root. Node-only (it locates itself on disk); the
 * zones' servers get the location in FEDERATION_REGISTRY from `next-zone`, which uses this.
 */
import { fileURLToPath } from 'node:url';

export const DEFAULT_REGISTRY_FILE = fileURLToPath(new URL('../../../.federation/registry.json', import.meta.url));

/** Whether a registry location is a URL (read with HTTP, written with If-Match) rather than a file. */
export function isRegistryUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** FEDERATION_REGISTRY (a file path or an http(s) URL), else the repository's `.federation/registry.json`. */
export function registryLocation(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEDERATION_REGISTRY?.trim() || DEFAULT_REGISTRY_FILE;
}

/** The same location, under the name its file users know it by. */
export const registryFile = registryLocation;
