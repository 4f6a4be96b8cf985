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
import { setTimeout as sleep } from 'node:timers/promises';
import { chooseRelease, createRegistryReader, type RegistryReader } from '@repo/releases/registry';
import type { RemoteLocation, Rollout } from '@repo/releases';
import { topology, type RemoteName } from '@repo/topology';

/**
 * How long a request may wait for the registry's first read, once per server process. A URL is
 * read in the background: without this, the first pages after a start would be rendered before
 * its first answer, from the topology's address (`shop@unknown`), not from the pointer.
 */
const FIRST_READ_WAIT_MS = 600;

let reader: RegistryReader | undefined;
let firstRead: Promise<unknown> = Promise.resolve();
let firstReadDone = false;

function registryReader(): RegistryReader | undefined {
  const location = process.env.FEDERATION_REGISTRY;
  if (location && !reader) {
    reader = createRegistryReader(location);
    firstRead = reader.next().finally(() => (firstReadDone = true));
  }
  return reader;
}

export interface ChosenRelease {
  readonly location: RemoteLocation;
  readonly rollout: Rollout;
}

export async function chooseReleaseFor(remote: RemoteName, visitor: string | null): Promise<ChosenRelease> {
  const current = registryReader();
  // Until the first read has an answer (at once for a file); a registry that does not answer in
  // time leaves these first pages on the topology's address, and the reader goes on.
  if (current && !firstReadDone) await Promise.race([firstRead, sleep(FIRST_READ_WAIT_MS, undefined, { ref: false })]);
  const chosen = current ? chooseRelease(current(), remote, visitor) : null;
  return chosen ?? { location: { remote, version: null, origin: topology.zones[remote].origin }, rollout: 'live' };
}
