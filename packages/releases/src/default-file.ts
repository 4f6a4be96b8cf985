/**
 * Where the registry lives unless FEDERATION_REGISTRY says otherwise: `.federation/registry.json`
 * at the repository root. Node-only (it locates itself on disk); the zones' servers get the path
 * in FEDERATION_REGISTRY from `next-zone`, which uses this.
 */
import { fileURLToPath } from 'node:url';

export const DEFAULT_REGISTRY_FILE = fileURLToPath(new URL('../../../.federation/registry.json', import.meta.url));

/** FEDERATION_REGISTRY, else the repository's `.federation/registry.json`. */
export function registryFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEDERATION_REGISTRY?.trim() || DEFAULT_REGISTRY_FILE;
}
