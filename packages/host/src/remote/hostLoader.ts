/**
 * The loader of loader.ts, wired for a zone: the host's own federation runtime
 * (`@repo/host/remote-source`), the system clock, and Sentry for the remote's owner (its outages,
 * and spans of the loads and liveness checks, owned by the remote). The zone has one per process
 * (`remoteLoader`: a server, or a browser tab); the lab's simulated outage makes its own
 * (lab/RemoteDownScenario.tsx).
 *
 * A loader keeps what it loaded for the life of the process, so only the page view that first
 * loads a release's module (per process: a server, or a browser tab) has its `mf.load` span;
 * later ones have at most an `mf.liveness` span (a server's check, at most every 250 ms).
 */
import { captureException, startSpan } from '@sentry/nextjs';
import { FROM_RELEASE_ORIGIN, forgetRelease, loadExposed, registerRelease } from '@repo/host/remote-source';
import { currentZone } from '@repo/topology';
import { entryUrl, type RemoteLocation } from '@repo/releases';
import { remoteSpanAttributes } from './spans';
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

/** Under `next dev`, shop's code changes at the same origin and release each time shop recompiles. */
const inDevelopment = process.env.NODE_ENV === 'development';

/**
 * Whether the release's entry still answers (a HEAD), within `withinMs`. In production it asks
 * for the browser's entry, the one visitors need. Under `next dev` it asks for the server's entry
 * and answers with its validator (ETag), which changes when shop recompiles: the loader then
 * loads shop's code again, so an edit of shop's Header reaches the host's server render.
 */
async function entryAnswers(location: RemoteLocation, withinMs: number): Promise<string | undefined> {
  const url = entryUrl(location, inDevelopment ? 'server' : 'browser');
  const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(withinMs) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return inDevelopment ? (response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined) : undefined;
}

/**
 * The release each registered name stands for (names are unique per process, across loaders),
 * so a load's span can say whose code and which release it loads.
 */
const releaseOfName = new Map<string, RemoteLocation>();

/**
 * Loading a release's module measures the remote's code (its entry and chunks, fetched and run):
 * the span is the remote's, and so are its children (the server's fetches of the entry and
 * chunks). Started as the active span, a child of the page view's (the request's on a server, the
 * page load's or navigation's in a browser); it may end after the request, which only waited up to
 * its deadline.
 */
function tracedLoadExposed(name: string, expose: string): Promise<unknown> {
  const location = releaseOfName.get(name);
  if (!location) return loadExposed(name, expose);
  return startSpan(
    {
      name: `mf.load ${location.remote}/${expose.replace(/^\.\//, '')}`,
      op: 'mf.load',
      attributes: remoteSpanAttributes(location, expose),
      onlyIfParent: true,
    },
    () => loadExposed(name, expose),
  );
}

/** A liveness check asks the remote's origin for its entry: time spent on the remote's account. */
function tracedEntryAnswers(location: RemoteLocation, withinMs: number): Promise<string | undefined> {
  return startSpan(
    { name: `mf.liveness ${location.remote}`, op: 'mf.liveness', attributes: remoteSpanAttributes(location), onlyIfParent: true },
    () => entryAnswers(location, withinMs),
  );
}

/**
 * Only a server checks that a loaded release still answers: a browser fetched the code itself,
 * and code compiled in (the benchmark's control build) cannot vanish.
 */
const hostSource: RemoteSource = {
  registerRelease: (name, location, again) => {
    releaseOfName.set(name, location);
    registerRelease(name, location, again);
  },
  loadExposed: tracedLoadExposed,
  checkAlive: isServer && FROM_RELEASE_ORIGIN ? tracedEntryAnswers : undefined,
  forgetRelease: (name) => {
    releaseOfName.delete(name);
    forgetRelease(name);
  },
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
