/**
 * Which release of a remote this request loads: the registry's live release, read on every
 * request (a `stat`; the file is parsed again only when it changed). Server-only.
 *
 * Without a registry (FEDERATION_REGISTRY unset, or nothing registered yet) hosts load the remote
 * from its topology address, release unknown until its code runs.
 */
import { createRegistryReader, liveLocation, type Registry } from '@repo/releases/registry';
import type { RemoteLocation } from '@repo/releases';
import { topology, type RemoteName } from '@repo/topology';

let reader: (() => Registry) | undefined;

export function liveRelease(remote: RemoteName): RemoteLocation {
  const file = process.env.FEDERATION_REGISTRY;
  if (file && !reader) reader = createRegistryReader(file);
  const live = reader ? liveLocation(reader(), remote) : null;
  return live ?? { remote, version: null, origin: topology.zones[remote].origin };
}
