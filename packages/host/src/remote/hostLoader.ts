/**
 * The loader of loader.ts, wired for a zone: the host's own federation runtime
 * (`@repo/host/remote-source`), the system clock, and Sentry for the remote's owner. The zone has
 * one per process (`remoteLoader`: a server, or a browser tab); the lab's simulated outage makes
 * its own (lab/RemoteDownScenario.tsx).
 */
import { captureException } from '@sentry/nextjs';
import { FROM_RELEASE_ORIGIN, loadExposed, registerRelease } from '@repo/host/remote-source';
import { currentZone } from '@repo/topology';
import { entryUrl, type RemoteLocation } from '@repo/releases';
import {
  BROWSER_LOAD_DEADLINE_MS,
  createRemoteLoader,
  SERVER_LOAD_DEADLINE_MS,
  systemClock,
  type RemoteLoader,
  type RemoteSource,
  type RemoteUnavailableError,
} from './loader';

const isServer = typeof window === 'undefined';

/** Whether the release's browser entry still answers (a HEAD), within `withinMs`. */
async function browserEntryAnswers(location: RemoteLocation, withinMs: number): Promise<void> {
  const url = entryUrl(location, 'browser');
  const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(withinMs) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
}

/**
 * Only a server checks that a loaded release still answers: a browser fetched the code itself,
 * and code compiled in (the benchmark's control build) cannot vanish.
 */
const hostSource: RemoteSource = {
  registerRelease,
  loadExposed,
  checkAlive: isServer && FROM_RELEASE_ORIGIN ? browserEntryAnswers : undefined,
};

function reportToOwner(error: RemoteUnavailableError, location: RemoteLocation): void {
  captureException(error, { tags: { failure: 'remote-down', remote: location.remote, remote_origin: location.origin } });
}

/** A loader on the host's federation instance, with state of its own. */
export function createHostLoader(): RemoteLoader {
  return createRemoteLoader({
    zone: currentZone().name,
    source: hostSource,
    clock: systemClock,
    report: reportToOwner,
    timing: { loadDeadlineMs: isServer ? SERVER_LOAD_DEADLINE_MS : BROWSER_LOAD_DEADLINE_MS },
  });
}

/** The zone's loader: what its pages, its slots and its hydration share. */
export const remoteLoader = createHostLoader();
