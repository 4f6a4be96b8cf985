/**
 * Where the registry is kept, and the operations that change it. Node-only.
 *
 * A store is a file (the demo's default) or an http(s) URL (FEDERATION_REGISTRY: one pointer for
 * hosts on several machines). Either way a change is an atomic read-modify-write: the file store
 * holds a lock file around it, the HTTP store sends If-Match and applies the change again when
 * someone else wrote first. Every writer (shop's start-up, the CLI, the inbox, the guard) goes
 * through one, so two changes at once both land.
 */
import { isRegistryUrl, registryLocation } from './default-file.ts';
import { readRegistry, updateRegistryFile } from './file-store.ts';
import { fetchRegistry, updateRegistryUrl } from './http-store.ts';
import {
  endingCanary,
  movingLive,
  promotingCanary,
  registering,
  startingCanary,
  type Change,
  type EndCanaryOptions,
  type PointerMove,
  type RegisterOptions,
  type Registry,
  type RemoteReleases,
} from './model.ts';
import type { RemoteName } from '@repo/topology';

export { isRegistryUrl, registryLocation } from './default-file.ts';
export { withRegistryFileLock, writeRegistryFile } from './file-store.ts';
export { probeRelease, PROBE_TIMEOUT_MS, type ReleaseProbe } from './probe.ts';
export { createRegistryReader, POLL_MS, type RegistryReader } from './reader.ts';
export type { EndCanaryOptions, RegisterOptions } from './model.ts';

/**
 * The token writers present to an HTTP registry (`Authorization: Bearer …`), and the inbox's
 * registry expects: FEDERATION_REGISTRY_TOKEN, else this fixed local default. Like the upload
 * token's default it only keeps anonymous writes out of a loopback service; set your own anywhere
 * else.
 */
export const DEFAULT_REGISTRY_TOKEN = 'fedreg_local_0000000000000000';

export function registryToken(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEDERATION_REGISTRY_TOKEN?.trim() || DEFAULT_REGISTRY_TOKEN;
}

export interface RegistryStore {
  /** The file path or URL, for messages. */
  readonly location: string;
  read(): Promise<Registry>;
  /**
   * Atomic read-modify-write (file: lock file + rename; http: If-Match, retried on 412). When
   * `change` returns the registry it was given, nothing is written.
   */
  update<T>(change: (registry: Registry) => Change<T>): Promise<T>;
}

/** The store at `location` (a file path or an http(s) URL); by default FEDERATION_REGISTRY's. */
export function openRegistryStore(location: string = registryLocation(), env: NodeJS.ProcessEnv = process.env): RegistryStore {
  if (isRegistryUrl(location)) {
    const token = registryToken(env);
    return {
      location,
      async read() {
        const fetched = await fetchRegistry(location);
        return fetched.kind === 'registry' ? fetched.registry : {};
      },
      update: (change) => updateRegistryUrl(location, token, change),
    };
  }
  return {
    location,
    read: async () => readRegistry(location),
    update: (change) => updateRegistryFile(location, change),
  };
}

/** Records that `remote@version` is served at `origin` (a deploy, or a remote starting up). */
export function registerRelease(
  store: RegistryStore,
  remote: RemoteName,
  version: string,
  origin: string,
  options: RegisterOptions,
): Promise<RemoteReleases> {
  return store.update((registry) => registering(registry, remote, version, origin, options));
}

/** Points the live pointer at a registered release (deploy, rollback, the inbox's button); ends any canary. */
export function moveLive(store: RegistryStore, remote: RemoteName, release: string, by: string, reason?: string): Promise<PointerMove> {
  return store.update((registry) => movingLive(registry, remote, release, by, reason, store.location));
}

/** Sends `percent` % of visitors (by bucket) to a registered release other than the live one. */
export function startCanary(store: RegistryStore, remote: RemoteName, release: string, percent: number, by: string): Promise<PointerMove> {
  return store.update((registry) => startingCanary(registry, remote, release, percent, by, store.location));
}

/**
 * Makes the canary live for every visitor, and ends it. `onlyIf` (`1.2.0` or `shop@1.2.0`): only
 * if the canary is still that release, checked under the write, so a canary that replaced the
 * one a person saw is never promoted (refused instead).
 */
export function promoteCanary(store: RegistryStore, remote: RemoteName, by: string, options: { onlyIf?: string } = {}): Promise<PointerMove> {
  return store.update((registry) => promotingCanary(registry, remote, by, options.onlyIf));
}

/** Ends the canary (all visitors on the live release); null when there is no such canary (any more). */
export function endCanary(store: RegistryStore, remote: RemoteName, options: EndCanaryOptions): Promise<PointerMove | null> {
  return store.update((registry) => endingCanary(registry, remote, options));
}
