/**
 * Which release of a remote this request loads: the registry's choice for this visitor (the
 * canary's share of visitors, by bucket, else the live release). The registry is read through
 * @repo/releases' reader: a file is `stat`ed per call and parsed again only when it changed, a URL
 * (FEDERATION_REGISTRY=http…) is followed in the background; either way a request never waits
 * for it and a registry that cannot be read leaves the last good one. Server-only.
 *
 * Without a registry (FEDERATION_REGISTRY unset, or nothing registered yet) hosts load the remote
 * from its topology address, release unknown until its code runs: the only release, so `live`.
 */
import { chooseRelease, createRegistryReader, type Registry } from '@repo/releases/registry';
import type { RemoteLocation, Rollout } from '@repo/releases';
import { topology, type RemoteName } from '@repo/topology';

let reader: (() => Registry) | undefined;

export interface ChosenRelease {
  readonly location: RemoteLocation;
  readonly rollout: Rollout;
}

export function chooseReleaseFor(remote: RemoteName, visitor: string | null): ChosenRelease {
  const registry = process.env.FEDERATION_REGISTRY;
  if (registry && !reader) reader = createRegistryReader(registry);
  const chosen = reader ? chooseRelease(reader(), remote, visitor) : null;
  return chosen ?? { location: { remote, version: null, origin: topology.zones[remote].origin }, rollout: 'live' };
}
