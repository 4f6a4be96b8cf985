/**
 * Where a host gets shop's modules from: the release's container, through the host's own Module
 * Federation instance. (The benchmark's control build resolves this module to source.control.ts
 * instead, through the `federation-control` export condition: shop's modules compiled in.)
 */
import type { ModuleFederation } from '@module-federation/runtime';
import { currentZone } from '@repo/topology';
import { entryUrl, type RemoteLocation } from '@repo/releases';

interface FederationGlobal {
  __FEDERATION__?: { __INSTANCES__?: ModuleFederation[] };
}

/**
 * The host's federation instance, the one its webpack runtime created, found in the runtime's
 * global registry by the zone's name. Looked up rather than imported from
 * `@module-federation/runtime`: importing it would put a second copy of the runtime (≈ 19 KiB
 * compressed) into every host page beside the one webpack's federation runtime already embeds.
 */
function federation(): ModuleFederation {
  const zone = currentZone().name;
  const instance = (globalThis as FederationGlobal).__FEDERATION__?.__INSTANCES__?.find((candidate) => candidate.name === zone);
  if (!instance) throw new Error(`No Module Federation instance for ${zone}: is the zone built with nextjs-mf?`);
  return instance;
}

/** The code comes from the release's origin, so it is only as available as that origin. */
export const FROM_RELEASE_ORIGIN = true;

/**
 * Registers a release with the host's federation instance under `name`; `again` replaces an
 * earlier registration of that name, which makes the runtime drop everything it kept of it (the
 * pending entry load, the module cache, the container global).
 */
export function registerRelease(name: string, location: RemoteLocation, again: boolean): void {
  federation().registerRemotes(
    [
      {
        name,
        entry: entryUrl(location, typeof window === 'undefined' ? 'server' : 'browser'),
        // The release's entry defines the container under the remote's own name (window.shop).
        entryGlobalName: location.remote,
      },
    ],
    { force: again },
  );
}

/**
 * Drops everything the host's federation instance keeps of the release registered as `name`
 * (its registration, module cache, entry global), as a forced registration does before it
 * registers again. The runtime's `removeRemote` is not in its public types, but it is what
 * `registerRemotes(…, { force: true })` runs, which every retry after an outage already uses.
 */
export function forgetRelease(name: string): void {
  const instance = federation();
  const registered = instance.options.remotes.find((remote) => remote.name === name);
  if (!registered) return;
  (instance.remoteHandler as unknown as { removeRemote(remote: typeof registered): void }).removeRemote(registered);
}

/** Loads `./Header` of the release registered as `name`. */
export async function loadExposed(name: string, expose: string): Promise<unknown> {
  const id = `${name}/${expose.replace(/^\.\//, '')}`;
  const exports = await federation().loadRemote(id);
  if (!exports) throw new Error(`${id} loaded as ${String(exports)}`);
  return exports;
}
