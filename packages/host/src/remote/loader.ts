/**
 * Loads a remote's exposed modules, from the release a location names, through a source (in the
 * zones, the host's own federation runtime): the same code on the server and in the browser.
 *
 * Why not `import Header from 'shop/Header'`: a static import is resolved once, when the host's
 * module graph starts. If shop is down at that moment, nextjs-mf substitutes a component that
 * renders nothing and webpack caches it for the life of the process: no fallback, no report, no
 * recovery. A hung shop holds that start-up (and so every page) for Node's 300 s fetch timeout.
 * And a static import can only ever load the release that was there first.
 *
 * Here each release is its own remote in the source, registered at run time under a name of its
 * own (`shop_r1`, `shop_r2`, …) with the release's entry, so two releases never share a cache,
 * and a rollback is only a different name to load from. Every load is bounded in time. A failure
 * starts an *outage* of that release: it is reported to the remote's owner once, later requests
 * get the fallback at once without waiting, and a new attempt (the release registered again, so
 * nothing half-loaded is reused) is made at most every `retryAfterMs`. The first attempt that
 * succeeds ends the outage: recovery needs no restart.
 *
 * A loader keeps the state of at most `maxReleases` releases (MAX_RELEASES), the least recently
 * asked for forgotten first: a long-lived server sees a new release at every deploy, canary and
 * rollback, and each one kept would hold its modules for the life of the process. What it forgets
 * it tells the source (`forgetRelease`), so the federation runtime can drop the release too; a
 * release asked for again after that is loaded anew, under a new name.
 *
 * Everything the state machine touches is passed in (the source, the clock, where an outage is
 * reported), so it is tested with a fake clock (loader.test.ts); hostLoader.ts wires it to the
 * federation runtime, the timers and Sentry. The design: docs/releases.md.
 */
import { OwnedError } from '@repo/observability/owned-error';
import { releaseName, type RemoteLocation } from '@repo/releases';

/** How long a server render waits for a remote's code before it renders the fallback instead. */
export const SERVER_LOAD_DEADLINE_MS = 600;
/** The same for a browser (a page already on screen; nothing is blocked while it waits). */
export const BROWSER_LOAD_DEADLINE_MS = 8_000;
/**
 * How long a request waits for a loaded release's liveness check. A check still unanswered then
 * is not an outage (a busy machine answers a HEAD slowly too): the request uses the code it has,
 * and the check goes on until LIVENESS_CONFIRM_MS, whose failure starts the outage.
 */
const LIVENESS_DEADLINE_MS = 400;
/** How long a liveness check may take before it counts as failed: the remote fetches' own timeout. */
const LIVENESS_CONFIRM_MS = 2_000;
/** During an outage, how often a new attempt is made; recovery is noticed within about this. */
const RETRY_AFTER_MS = 1_000;
/**
 * A server keeps a loaded release's code, so it could render shop's Header long after shop is
 * gone, and the browser, which must fetch shop's code itself, would then fail. So a server checks
 * that the release still answers before it uses it, at most once per LIVENESS_TTL_MS (requests in
 * between share the answer, and concurrent requests share one check).
 */
const LIVENESS_TTL_MS = 250;
/**
 * How many releases a loader keeps. A zone uses one or two at a time (the live release and a
 * canary), and a rollback goes back to the one before: eight leaves room for all of them and a
 * few more, while a process that lives through hundreds of deploys keeps no more than this.
 */
export const MAX_RELEASES = 8;

/** A remote's code could not be loaded: the remote's owner is told (no frame of theirs exists). */
export class RemoteUnavailableError extends OwnedError {
  override name = 'RemoteUnavailableError';
}

export type Availability = 'up' | 'down';

/** Where a release's code comes from: `@repo/host/remote-source`, and how to tell it still answers. */
export interface RemoteSource {
  /** Registers the release under `name`; `again` replaces an earlier registration of that name. */
  registerRelease(name: string, location: RemoteLocation, again: boolean): void;
  /** Loads `expose` (`./Header`) of the release registered as `name`; rejects if it cannot. */
  loadExposed(name: string, expose: string): Promise<unknown>;
  /**
   * Resolves if the release still answers within `withinMs`, rejects otherwise; it may resolve
   * with the build it found (a validator), and a different one than before makes the loader load
   * the release's code again (under `next dev`, where a release is rebuilt in place). Absent where
   * a loaded release cannot vanish from under the page (a browser, which fetched the code itself;
   * code compiled in).
   */
  checkAlive?(location: RemoteLocation, withinMs: number): Promise<string | undefined>;
  /**
   * The loader no longer keeps the release registered as `name` (it was the least recently used
   * of too many, or the loader was disposed of): what the source kept of it may go too.
   */
  forgetRelease?(name: string): void;
}

export interface Clock {
  now(): number;
  /** Calls `callback` once `ms` have passed; returns what cancels it. */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface LoaderTiming {
  /** How long a request waits for a module before it gets the fallback (the load goes on). */
  loadDeadlineMs: number;
  /** How long a request waits for a liveness check (undecided then: the loaded code is used). */
  livenessDeadlineMs: number;
  /** How long a liveness check may take before it fails and starts an outage. */
  livenessConfirmMs: number;
  /** How long a release that answered is trusted without asking again. */
  livenessTtlMs: number;
  /** During an outage, the least time between two attempts. */
  retryAfterMs: number;
}

/** A server's timing; a browser waits longer for a load (BROWSER_LOAD_DEADLINE_MS). */
const SERVER_TIMING: Readonly<LoaderTiming> = {
  loadDeadlineMs: SERVER_LOAD_DEADLINE_MS,
  livenessDeadlineMs: LIVENESS_DEADLINE_MS,
  livenessConfirmMs: LIVENESS_CONFIRM_MS,
  livenessTtlMs: LIVENESS_TTL_MS,
  retryAfterMs: RETRY_AFTER_MS,
};

export type LoaderLog = Pick<Console, 'info' | 'warn' | 'error'>;

export interface RemoteLoaderOptions {
  /** The zone whose pages show the fallback, as the outage's message names it. */
  zone: string;
  source: RemoteSource;
  clock: Clock;
  /** Tells the remote's owner: once per outage of a release, never per request. */
  report(error: RemoteUnavailableError, location: RemoteLocation): void;
  /** Where the loader says what it does (the server's log, the browser's console). */
  log?: LoaderLog;
  timing?: Partial<LoaderTiming>;
  /** How many releases the loader keeps (MAX_RELEASES by default). */
  maxReleases?: number;
}

export interface RemoteLoader {
  /**
   * Loads `expose` of the release at `location`, or says it is down. Never throws. Only the
   * request that discovers an outage waits, at most the load deadline; during the outage every
   * request answers 'down' at once, and at most every `retryAfterMs` one of them starts a new
   * attempt in the background, whose success the following requests see.
   */
  ensureExposed(location: RemoteLocation, expose: string): Promise<Availability>;
  /** The loaded module, if `ensureExposed` has loaded it (synchronous: for rendering). */
  loadedExposed<M>(location: RemoteLocation, expose: string): M | undefined;
  /**
   * The module once loaded, or null if it is unavailable: the same promise on every call, as
   * React's `use` needs while it retries a render, until one that found the module unavailable
   * is `retryAfterMs` old, so an outage does not stick.
   */
  whenLoaded<M>(location: RemoteLocation, expose: string): Promise<M | null>;
  /**
   * Whether the release is in an outage (a load or a check failed, and no attempt has succeeded
   * since): what tells a page that got 'down' because the release failed from one that got it
   * because a load was only slower than the request's deadline.
   */
  inOutage(location: RemoteLocation): boolean;
  /** How many releases the loader keeps now (at most `maxReleases`). */
  readonly releaseCount: number;
  /**
   * Forgets every release (the source is told of each): for a loader made for one page, such as
   * the lab's simulated outage, once that page has its answer.
   */
  dispose(): void;
}

/** Where a loader keeps a release's state: one release at one origin. */
export function releaseKey(location: RemoteLocation): string {
  return `${releaseName(location)} ${location.origin}`;
}

/** `work`, or a rejection once `ms` have passed (the work itself is not cancelled). */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, clock: Clock = systemClock): Promise<T> {
  let cancel = (): void => {};
  const deadline = new Promise<never>((_, reject) => {
    cancel = clock.after(ms, () => reject(new Error(`${what} did not load within ${ms} ms`)));
  });
  return Promise.race([work, deadline]).finally(() => cancel());
}

/** The first line of an error, and of its cause: enough for a log line. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
  return `${cause.message.split('\n')[0]}${inner}`;
}

interface Outage {
  readonly since: number;
  retryAt: number;
}

/** One attempt at a release: a registration and what was loaded through it. */
interface Attempt {
  /** The name the release is registered under (the same for every attempt at a release). */
  readonly name: string;
  /** Loaded (or loading) exposed modules, by expose ('./Header'). */
  readonly modules: Map<string, Promise<unknown>>;
  /** Modules already loaded, for a synchronous render (no Suspense round trip). */
  readonly loaded: Map<string, unknown>;
  outage: Outage | null;
  /** When the release last answered a liveness check (or loaded), and the check under way. */
  checkedAt: number;
  checking: Promise<Availability> | null;
  /** What the liveness check said the release's build was (dev: it changes on each recompile). */
  build?: string;
  /** The release was rebuilt since this attempt loaded: the next request loads it again. */
  rebuilt?: boolean;
}

interface Waiting {
  readonly at: number;
  readonly promise: Promise<unknown>;
  loaded: boolean;
}

/** What a loader keeps of one release: its current attempt, and what slots suspend on, by expose. */
interface Release {
  attempt: Attempt;
  readonly waiting: Map<string, Waiting>;
}

/**
 * Every loader of a process registers into the host's one federation instance (the zone's, and
 * one per lab visit), so the names they register under are counted across loaders.
 */
let registrations = 0;

export function createRemoteLoader({
  zone,
  source,
  clock,
  report,
  log = console,
  timing,
  maxReleases = MAX_RELEASES,
}: RemoteLoaderOptions): RemoteLoader {
  const { loadDeadlineMs, livenessDeadlineMs, livenessConfirmMs, livenessTtlMs, retryAfterMs } = { ...SERVER_TIMING, ...timing };
  if (!(maxReleases >= 1)) throw new Error(`maxReleases must be at least 1, not ${maxReleases}`);
  /** By release key, least recently asked for first (a Map keeps insertion order). */
  const releases = new Map<string, Release>();

  /**
   * Registers the release: under a name of its own the first time, and again under the same name
   * for each new attempt after a failure, so nothing of the failed attempt is reused. One name
   * per release, however long an outage lasts.
   */
  function register(location: RemoteLocation, name?: string): Attempt {
    const again = name !== undefined;
    if (!again) registrations += 1;
    const registered = name ?? `${location.remote}_r${registrations}`;
    source.registerRelease(registered, location, again);
    return { name: registered, modules: new Map(), loaded: new Map(), outage: null, checkedAt: 0, checking: null };
  }

  function forget(key: string, release: Release): void {
    releases.delete(key);
    source.forgetRelease?.(release.attempt.name);
  }

  /** The release's state, made the most recently used; the least recently used goes beyond maxReleases. */
  function releaseAt(location: RemoteLocation): Release {
    const key = releaseKey(location);
    let release = releases.get(key);
    if (release) releases.delete(key);
    else release = { attempt: register(location), waiting: new Map() };
    releases.set(key, release);
    for (const [oldest, kept] of releases) {
      if (releases.size <= maxReleases) break;
      forget(oldest, kept);
    }
    return release;
  }

  function startOutage(location: RemoteLocation, attempt: Attempt, expose: string, cause: unknown): void {
    const release = releaseName(location);
    const error = new RemoteUnavailableError(
      location.remote,
      `${release} could not be loaded from ${location.origin} (${expose}); ${zone} shows its fallback`,
      { cause, release },
    );
    const now = clock.now();
    // Once per outage of this release in this process (a server, or a browser tab), not per request.
    report(error, location);
    log.error(`[${zone}] ${error.message}: ${describeCause(cause)}`);
    attempt.outage = { since: now, retryAt: now + retryAfterMs };
  }

  /**
   * A loaded release is 'up' if it answered within the TTL, or answers now. A check that fails
   * (refused, an HTTP error, no answer within livenessConfirmMs) starts the outage; one that is
   * only slow leaves this request on the code it has, like a load that misses its deadline.
   */
  async function stillUp(location: RemoteLocation, attempt: Attempt, expose: string): Promise<Availability> {
    if (!source.checkAlive || clock.now() - attempt.checkedAt < livenessTtlMs) return 'up';
    attempt.checking ??= source
      .checkAlive(location, livenessConfirmMs)
      .then(
        (build): Availability => {
          attempt.checkedAt = clock.now();
          if (typeof build === 'string') {
            if (attempt.build !== undefined && attempt.build !== build) attempt.rebuilt = true;
            attempt.build = build;
          }
          return 'up';
        },
        (cause: unknown): Availability => {
          if (!attempt.outage) startOutage(location, attempt, expose, cause);
          return 'down';
        },
      )
      .finally(() => {
        attempt.checking = null;
      });
    try {
      return await withDeadline(attempt.checking, livenessDeadlineMs, releaseName(location), clock);
    } catch {
      return 'up';
    }
  }

  /**
   * The load of `expose` in this attempt, started once. Its outcome, whenever it comes, decides
   * the release's state: a success ends an outage, a failure starts one. Missing a request's
   * deadline is neither: a release loading slowly (its first load, on a busy machine) is not
   * down, and the load goes on for the next requests; a remote that never answers fails by the
   * source's own fetch timeouts (the runtime plugins': 2 s on the server, 8 s in a browser), and
   * that starts the outage.
   */
  function loadOnce(location: RemoteLocation, attempt: Attempt, expose: string): Promise<unknown> {
    let pending = attempt.modules.get(expose);
    if (!pending) {
      pending = source.loadExposed(attempt.name, expose);
      attempt.modules.set(expose, pending);
      pending.then(
        (exports) => {
          attempt.loaded.set(expose, exports);
          attempt.checkedAt = clock.now();
          if (attempt.outage) {
            log.info(`[${zone}] ${releaseName(location)} is back after ${clock.now() - attempt.outage.since} ms`);
            attempt.outage = null;
          }
        },
        (cause: unknown) => {
          attempt.modules.delete(expose);
          if (!attempt.outage) startOutage(location, attempt, expose, cause);
          else log.warn(`[${zone}] ${releaseName(location)} still unavailable: ${describeCause(cause)}`);
        },
      );
    }
    return pending;
  }

  /** Whether `expose` of this attempt is loaded by the deadline ('down' for this request otherwise). */
  async function attemptLoad(location: RemoteLocation, attempt: Attempt, expose: string): Promise<Availability> {
    try {
      await withDeadline(loadOnce(location, attempt, expose), loadDeadlineMs, releaseName(location), clock);
      return 'up';
    } catch {
      return 'down';
    }
  }

  async function ensureExposed(location: RemoteLocation, expose: string): Promise<Availability> {
    const release = releaseAt(location);
    const attempt = release.attempt;
    const outage = attempt.outage;
    if (outage) {
      if (clock.now() >= outage.retryAt) {
        outage.retryAt = clock.now() + retryAfterMs;
        const retry = register(location, attempt.name);
        retry.outage = outage;
        release.attempt = retry;
        void attemptLoad(location, retry, expose);
      }
      return 'down';
    }
    if (attempt.loaded.has(expose)) {
      const availability = await stillUp(location, attempt, expose);
      if (!attempt.rebuilt || release.attempt !== attempt) return availability;
      // A new build at the same origin (shop recompiled under next dev): load its code again.
      const fresh = register(location, attempt.name);
      fresh.build = attempt.build;
      release.attempt = fresh;
      release.waiting.clear();
      return attemptLoad(location, fresh, expose);
    }
    return attemptLoad(location, attempt, expose);
  }

  function loadedExposed<M>(location: RemoteLocation, expose: string): M | undefined {
    return releases.get(releaseKey(location))?.attempt.loaded.get(expose) as M | undefined;
  }

  function whenLoaded<M>(location: RemoteLocation, expose: string): Promise<M | null> {
    const { waiting } = releaseAt(location);
    let entry = waiting.get(expose);
    if (!entry || (!entry.loaded && clock.now() - entry.at >= retryAfterMs)) {
      const fresh: Waiting = {
        at: clock.now(),
        loaded: false,
        promise: ensureExposed(location, expose).then((availability) => {
          const exposed = availability === 'up' ? (loadedExposed(location, expose) ?? null) : null;
          fresh.loaded = exposed !== null;
          return exposed;
        }),
      };
      entry = fresh;
      waiting.set(expose, entry);
    }
    return entry.promise as Promise<M | null>;
  }

  function inOutage(location: RemoteLocation): boolean {
    return releases.get(releaseKey(location))?.attempt.outage != null;
  }

  function dispose(): void {
    for (const [key, release] of releases) forget(key, release);
  }

  return {
    ensureExposed,
    loadedExposed,
    whenLoaded,
    inOutage,
    dispose,
    get releaseCount() {
      return releases.size;
    },
  };
}
