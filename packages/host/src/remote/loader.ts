/**
 * Loads a remote's exposed modules, from the release the pointer names, through the host's own
 * federation runtime: the same code on the server and in the browser.
 *
 * Why not `import Header from 'shop/Header'`: a static import is resolved once, when the host's
 * module graph starts. If shop is down at that moment, nextjs-mf substitutes a component that
 * renders nothing and webpack caches it for the life of the process: no fallback, no report, no
 * recovery. A hung shop holds that start-up (and so every page) for Node's 300 s fetch timeout.
 * And a static import can only ever load the release that was there first.
 *
 * Here each release is its own remote in the host's federation instance, registered at run time
 * under a name of its own (`shop_r1`, `shop_r2`, …) with the release's entry, so two releases
 * never share a cache, and a rollback is only a different name to load from. Every load is
 * bounded in time. A failure starts an *outage* of that release: it is reported to the remote's
 * owner once, later requests get the fallback at once without waiting, and a new attempt (the
 * release registered again, so nothing half-loaded is reused) is made at most every
 * RETRY_AFTER_MS. The first attempt that succeeds ends the outage: recovery needs no restart.
 */
import { captureException } from '@sentry/nextjs';
import { FROM_RELEASE_ORIGIN, loadExposed, registerRelease } from '@repo/host/remote-source';
import { currentZone } from '@repo/topology';
import { OwnedError } from '@repo/observability/owned-error';
import { entryUrl, releaseName, type RemoteLocation } from '@repo/releases';

/** How long a server render waits for a remote's code before it renders the fallback instead. */
export const SERVER_LOAD_DEADLINE_MS = 600;
/** The same for a browser (a page already on screen; nothing is blocked while it waits). */
export const BROWSER_LOAD_DEADLINE_MS = 8_000;
/** How long a server waits for a loaded release to answer its liveness check. */
export const LIVENESS_DEADLINE_MS = 400;
/** During an outage, how often a new attempt is made; recovery is noticed within about this. */
export const RETRY_AFTER_MS = 1_000;
/**
 * A server keeps a loaded release's code, so it could render shop's Header long after shop is
 * gone, and the browser, which must fetch shop's code itself, would then fail. So a server checks
 * that the release still answers before it uses it, at most once per LIVENESS_TTL_MS (requests in
 * between share the answer, and concurrent requests share one check).
 */
export const LIVENESS_TTL_MS = 250;
/** At most this many simulated (lab) outages are remembered per process; real releases always are. */
const MAX_TRACKED = 64;

/** A remote's code could not be loaded: the remote's owner is told (no frame of theirs exists). */
export class RemoteUnavailableError extends OwnedError {
  override name = 'RemoteUnavailableError';
}

export type Availability = 'up' | 'down';

interface Outage {
  readonly since: number;
  retryAt: number;
}

interface ReleaseState {
  /** The name the current attempt registered the release under. */
  name: string;
  /** Loaded (or loading) exposed modules of this attempt, by expose ('./Header'). */
  modules: Map<string, Promise<unknown>>;
  /** Modules already loaded, for a synchronous render (no Suspense round trip). */
  loaded: Map<string, unknown>;
  outage: Outage | null;
  /** When the release last answered a liveness check (or loaded), and the check under way. */
  checkedAt: number;
  checking: Promise<void> | null;
}

const isServer = typeof window === 'undefined';
const states = new Map<string, ReleaseState>();
let attempts = 0;

/** Where a release's state is kept; `scope` separates simulated outages (the lab) from real ones. */
export function releaseKey(location: RemoteLocation, scope: string): string {
  return `${releaseName(location)} ${location.origin} ${scope}`;
}

/**
 * Registers the release: under a name of its own the first time, and again under the same name
 * for each new attempt after a failure, so nothing of the failed attempt is reused. One
 * registration per release, however long an outage lasts.
 */
function register(location: RemoteLocation, name?: string): ReleaseState {
  const again = name !== undefined;
  if (!again) attempts += 1;
  const remoteName = name ?? `${location.remote}_r${attempts}`;
  registerRelease(remoteName, location, again);
  return { name: remoteName, modules: new Map(), loaded: new Map(), outage: null, checkedAt: 0, checking: null };
}

const simulated: string[] = [];

/** Each lab visit is an outage of its own; only the latest MAX_TRACKED are kept. */
function rememberSimulatedOutage(key: string): void {
  simulated.push(key);
  while (simulated.length > MAX_TRACKED) {
    const oldest = simulated.shift();
    if (oldest) states.delete(oldest);
  }
}

function stateOf(location: RemoteLocation, scope: string): ReleaseState {
  const key = releaseKey(location, scope);
  let state = states.get(key);
  if (!state) {
    state = register(location);
    states.set(key, state);
    if (scope) rememberSimulatedOutage(key);
  }
  return state;
}

/** `work`, or a rejection once `ms` have passed (the work itself is not cancelled). */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not load within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function startOutage(location: RemoteLocation, state: ReleaseState, expose: string, cause: unknown): void {
  const release = releaseName(location);
  const zone = currentZone();
  const error = new RemoteUnavailableError(
    location.remote,
    `${release} could not be loaded from ${location.origin} (${expose}); ${zone.name} shows its fallback`,
    { cause, release },
  );
  const now = Date.now();
  const outage: Outage = { since: now, retryAt: now + RETRY_AFTER_MS };
  // Once per outage of this release in this process (a server, or a browser tab), not per request.
  captureException(error, { tags: { failure: 'remote-down', remote: location.remote, remote_origin: location.origin } });
  console.error(`[${zone.name}] ${error.message}: ${describe(cause)}`);
  state.outage = outage;
}

/** Whether the release's browser entry still answers, within the server's deadline. */
async function checkAnswers(location: RemoteLocation, state: ReleaseState): Promise<void> {
  const url = entryUrl(location, 'browser');
  const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(LIVENESS_DEADLINE_MS) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  state.checkedAt = Date.now();
}

/** A loaded release is 'up' if it answered within the TTL, or answers now. */
async function stillUp(location: RemoteLocation, state: ReleaseState, expose: string): Promise<Availability> {
  if (!isServer || !FROM_RELEASE_ORIGIN || Date.now() - state.checkedAt < LIVENESS_TTL_MS) return 'up';
  state.checking ??= checkAnswers(location, state).finally(() => {
    state.checking = null;
  });
  try {
    await state.checking;
    return 'up';
  } catch (cause) {
    if (!state.outage) startOutage(location, state, expose, cause);
    return 'down';
  }
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
  return `${cause.message.split('\n')[0]}${inner}`;
}

/**
 * The load of `expose` in this attempt, started once. Its outcome, whenever it comes, decides the
 * release's state: a success ends an outage, a failure starts one. Missing a request's deadline is
 * neither: a release loading slowly (its first load, on a busy machine) is not down, and the load
 * goes on for the next requests; a remote that never answers fails by the fetch timeouts of the
 * runtime plugins (2 s on the server, 8 s in a browser), and that starts the outage.
 */
function loadOnce(location: RemoteLocation, attempt: ReleaseState, expose: string): Promise<unknown> {
  let pending = attempt.modules.get(expose);
  if (!pending) {
    pending = loadExposed(attempt.name, expose);
    attempt.modules.set(expose, pending);
    pending.then(
      (exports) => {
        attempt.loaded.set(expose, exports);
        attempt.checkedAt = Date.now();
        if (attempt.outage) {
          console.info(`[${currentZone().name}] ${releaseName(location)} is back after ${Date.now() - attempt.outage.since} ms`);
          attempt.outage = null;
        }
      },
      (cause: unknown) => {
        attempt.modules.delete(expose);
        if (!attempt.outage) startOutage(location, attempt, expose, cause);
        else console.warn(`[${currentZone().name}] ${releaseName(location)} still unavailable: ${describe(cause)}`);
      },
    );
  }
  return pending;
}

/** Whether `expose` of this attempt is loaded by the deadline ('down' for this request otherwise). */
async function attemptLoad(location: RemoteLocation, attempt: ReleaseState, expose: string): Promise<Availability> {
  try {
    await withDeadline(loadOnce(location, attempt, expose), isServer ? SERVER_LOAD_DEADLINE_MS : BROWSER_LOAD_DEADLINE_MS, releaseName(location));
    return 'up';
  } catch {
    return 'down';
  }
}

/**
 * Loads `expose` of the release at `location`, or says it is down. Never throws. Only the request
 * that discovers an outage waits, at most the deadline; during the outage every request answers
 * 'down' at once, and at most every RETRY_AFTER_MS one of them starts a new attempt in the
 * background, whose success the following requests see.
 */
export async function ensureExposed(location: RemoteLocation, expose: string, scope = ''): Promise<Availability> {
  const state = stateOf(location, scope);
  const outage = state.outage;
  if (outage) {
    if (Date.now() >= outage.retryAt) {
      outage.retryAt = Date.now() + RETRY_AFTER_MS;
      const retry = register(location, state.name);
      retry.outage = outage;
      states.set(releaseKey(location, scope), retry);
      void attemptLoad(location, retry, expose);
    }
    return 'down';
  }
  if (state.loaded.has(expose)) return stillUp(location, state, expose);
  return attemptLoad(location, state, expose);
}

/** The loaded module, if `ensureExposed` has loaded it (synchronous: for rendering). */
export function loadedExposed<M>(location: RemoteLocation, expose: string, scope = ''): M | undefined {
  return states.get(releaseKey(location, scope))?.loaded.get(expose) as M | undefined;
}
