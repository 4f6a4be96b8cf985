/**
 * The registry's model: each remote's releases (version → origin), the pointer to the live one,
 * an optional canary (a release a share of visitors get instead), and the moves that changed
 * them. Pure and isomorphic, like index.ts: the writers (store.ts), the hosts' servers and
 * anything a browser bundle needs use the same checks and the same choice.
 *
 * Every change is a function from one registry to the next, so the stores can apply it inside
 * their atomic read-modify-write (a lock file, or an HTTP If-Match) and retry it on a conflict.
 */
import { isRemoteName, type RemoteName } from '@repo/topology';
import { bucketOf, isValidVersion, versionOf, type RemoteLocation, type Rollout } from './index.ts';

export interface ReleaseRecord {
  readonly origin: string;
  readonly registeredAt: string;
}

/** A release a share of visitors get instead of the live one: those whose bucket is below `percent`. */
export interface Canary {
  readonly version: string;
  /** An integer 0..100. */
  readonly percent: number;
  /** ISO time the canary of this release started (a change of percent keeps it). */
  readonly since: string;
  readonly by: string;
}

/** What a move did; moves written before canaries existed have none and were `live` moves. */
export type MoveKind = 'live' | 'canary' | 'canary-end' | 'promote';

/** One change of the pointers, newest last: who made it (deploy, rollback, inbox, guard), when and why. */
export interface PointerMove {
  readonly from: string | null;
  readonly to: string;
  readonly at: string;
  readonly by: string;
  /**
   * live: the live pointer moved (from → to); canary: a canary started or changed its percent
   * (from = the live release, to = the canary); canary-end: a canary ended (from = the canary,
   * to = the live release); promote: the canary became live (from = the old live release).
   */
  readonly kind?: MoveKind;
  /** The canary's percent, for canary, canary-end and promote moves. */
  readonly percent?: number;
  readonly reason?: string;
  /** What decided it (the guard's sample sizes and bounds), for the record. */
  readonly figures?: Readonly<Record<string, number | string>>;
}

export interface RemoteReleases {
  readonly live: string | null;
  readonly canary: Canary | null;
  readonly releases: Readonly<Record<string, ReleaseRecord>>;
  readonly moves: readonly PointerMove[];
}

export type Registry = Readonly<Partial<Record<RemoteName, RemoteReleases>>>;

/** How many moves the registry remembers per remote. */
export const MOVES_KEPT = 50;

export const MOVE_KINDS: readonly MoveKind[] = ['live', 'canary', 'canary-end', 'promote'];

/** Whether a registry location is a URL (read with HTTP, written with If-Match) rather than a file path. */
export function isRegistryUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** A registry that is malformed, or a change it refuses; the message says where and why. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isHttpOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value));
}

/** Whether `percent` is a canary's share: an integer from 0 to 100. */
export function isPercent(percent: unknown): percent is number {
  return typeof percent === 'number' && Number.isInteger(percent) && percent >= 0 && percent <= 100;
}

function registeredList(releases: Readonly<Record<string, unknown>>): string {
  const known = Object.keys(releases);
  return known.length ? `registered: ${known.join(', ')}` : 'none registered';
}

function parseCanary(where: string, value: unknown, releases: Record<string, ReleaseRecord>, live: string | null): Canary | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw new RegistryError(`${where} must be null or {"version", "percent", "since", "by"}`);
  const { version, percent, since, by } = value;
  if (typeof version !== 'string' || !(version in releases)) {
    throw new RegistryError(`${where}: ${JSON.stringify(version)} is not one of its releases (${registeredList(releases)})`);
  }
  if (live === null) throw new RegistryError(`${where}: a canary needs a live release beside it, and there is none`);
  if (version === live) throw new RegistryError(`${where}: ${version} is the live release; a canary is another release`);
  if (!isPercent(percent)) throw new RegistryError(`${where}: "percent" must be an integer from 0 to 100, not ${JSON.stringify(percent)}`);
  if (!isIsoTime(since)) throw new RegistryError(`${where}: "since" must be an ISO time, not ${JSON.stringify(since)}`);
  if (typeof by !== 'string') throw new RegistryError(`${where}: "by" must be a string`);
  return { version, percent, since, by };
}

function parseFigures(where: string, value: unknown): Readonly<Record<string, number | string>> {
  if (!isRecord(value)) throw new RegistryError(`${where} must be an object of numbers and strings`);
  for (const [key, figure] of Object.entries(value)) {
    if (typeof figure !== 'number' && typeof figure !== 'string') throw new RegistryError(`${where}.${key} must be a number or a string`);
  }
  return value as Record<string, number | string>;
}

function parseMove(where: string, value: unknown): PointerMove {
  if (!isRecord(value)) throw new RegistryError(`${where} must be an object {"from", "to", "at", "by"}`);
  const { from, to, at, by, kind, percent, reason, figures } = value;
  if (from !== null && typeof from !== 'string') throw new RegistryError(`${where}: "from" must be a version or null`);
  if (typeof to !== 'string') throw new RegistryError(`${where}: "to" must be a version`);
  if (typeof at !== 'string') throw new RegistryError(`${where}: "at" must be an ISO time`);
  if (typeof by !== 'string') throw new RegistryError(`${where}: "by" must be a string`);
  const move: { -readonly [K in keyof PointerMove]: PointerMove[K] } = { from, to, at, by };
  if (kind !== undefined) {
    if (!MOVE_KINDS.includes(kind as MoveKind)) throw new RegistryError(`${where}: "kind" must be one of ${MOVE_KINDS.join(', ')}`);
    move.kind = kind as MoveKind;
  }
  if (percent !== undefined) {
    if (!isPercent(percent)) throw new RegistryError(`${where}: "percent" must be an integer from 0 to 100`);
    move.percent = percent;
  }
  if (reason !== undefined) {
    if (typeof reason !== 'string') throw new RegistryError(`${where}: "reason" must be a string`);
    move.reason = reason;
  }
  if (figures !== undefined) move.figures = parseFigures(`${where}.figures`, figures);
  return move;
}

/**
 * Parses and checks a registry; every way it can be wrong gets a message that says where
 * (`source`: the file or URL it came from). A canary must be a registered release other than the
 * live one, with an integer percent from 0 to 100.
 */
export function parseRegistry(text: string, source = 'registry'): Registry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(data)) throw new RegistryError(`${source} must hold an object of remotes, e.g. {"shop": {…}}`);
  const registry: Partial<Record<RemoteName, RemoteReleases>> = {};
  for (const [name, entry] of Object.entries(data)) {
    if (!isRemoteName(name)) throw new RegistryError(`${source}: "${name}" is not a remote of the topology`);
    if (!isRecord(entry) || !isRecord(entry.releases)) {
      throw new RegistryError(`${source}: ${name} needs "releases": {"<version>": {"origin": "http://…"}}`);
    }
    const releases: Record<string, ReleaseRecord> = {};
    for (const [version, record] of Object.entries(entry.releases)) {
      if (!isValidVersion(version)) throw new RegistryError(`${source}: ${name} release "${version}" is not a valid version`);
      if (!isRecord(record) || !isHttpOrigin(record.origin)) {
        throw new RegistryError(`${source}: ${name}@${version} needs an "origin" like "http://localhost:3011" (no path)`);
      }
      releases[version] = {
        origin: record.origin,
        registeredAt: typeof record.registeredAt === 'string' ? record.registeredAt : '',
      };
    }
    const live = entry.live ?? null;
    if (live !== null && (typeof live !== 'string' || !(live in releases))) {
      throw new RegistryError(`${source}: ${name}'s live release ${JSON.stringify(live)} is not one of its releases`);
    }
    const canary = parseCanary(`${source}: ${name}.canary`, entry.canary, releases, live);
    if (entry.moves !== undefined && !Array.isArray(entry.moves)) throw new RegistryError(`${source}: ${name}.moves must be an array`);
    const moves = (entry.moves ?? []).map((move: unknown, index: number) => parseMove(`${source}: ${name}.moves[${index}]`, move));
    registry[name] = { live, canary, releases, moves };
  }
  return registry;
}

/** The registry as its writers store it: indented JSON, one newline at the end. */
export function serializeRegistry(registry: Registry): string {
  return `${JSON.stringify(registry, null, 2)}\n`;
}

/** The live release of `remote` as a location, or null when the registry names none. */
export function liveLocation(registry: Registry, remote: RemoteName): RemoteLocation | null {
  const entry = registry[remote];
  if (!entry?.live) return null;
  const record = entry.releases[entry.live];
  return record ? { remote, version: entry.live, origin: record.origin } : null;
}

/** Whether a visitor is in a canary's share: buckets below its percent (0 % none, 100 % all). */
export function inCanary(canary: Canary, visitor: string | null): boolean {
  return visitor !== null && bucketOf(visitor) < canary.percent;
}

/**
 * The release `visitor` gets of `remote`: the canary when the visitor's bucket is in its share,
 * else the live one; null when nothing is live (the host uses the topology's address). A request
 * without a visitor id yet gets the live release.
 */
export function chooseRelease(
  registry: Registry,
  remote: RemoteName,
  visitor: string | null,
): { location: RemoteLocation; rollout: Rollout } | null {
  const live = liveLocation(registry, remote);
  if (!live) return null;
  const canary = registry[remote]?.canary;
  const record = canary ? registry[remote]?.releases[canary.version] : undefined;
  if (canary && record && inCanary(canary, visitor)) {
    return { location: { remote, version: canary.version, origin: record.origin }, rollout: 'canary' };
  }
  return { location: live, rollout: 'live' };
}

// The changes. Each takes the registry as read and returns the next one (the same object when
// nothing changes, so a store writes nothing) and what the operation answers.

export interface Change<T> {
  readonly registry: Registry;
  readonly result: T;
}

const EMPTY: RemoteReleases = { live: null, canary: null, releases: {}, moves: [] };

function withMoves(registry: Registry, remote: RemoteName, entry: RemoteReleases, moves: readonly PointerMove[]): Registry {
  return { ...registry, [remote]: { ...entry, moves: [...entry.moves, ...moves].slice(-MOVES_KEPT) } };
}

/** The registered version of `release` (`shop@1.1.0` or `1.1.0`), or a refusal naming those registered. */
function registered(registry: Registry, remote: RemoteName, release: string, where: string): { entry: RemoteReleases; version: string } {
  const entry = registry[remote];
  const version = versionOf(remote, release);
  if (!entry || !(version in entry.releases)) {
    throw new RegistryError(
      `${remote}@${version} is not a registered release of ${remote}` +
        (entry && Object.keys(entry.releases).length ? ` (${registeredList(entry.releases)})` : ` (none registered in ${where})`),
    );
  }
  return { entry, version };
}

function now(): string {
  return new Date().toISOString();
}

export interface RegisterOptions {
  /** Make it live: always, or only when the remote has no live release yet (a first start). */
  live: 'always' | 'if-none' | 'never';
  by: string;
}

/** Records that `remote@version` is served at `origin` (a deploy, or a remote starting up). */
export function registering(
  registry: Registry,
  remote: RemoteName,
  version: string,
  origin: string,
  options: RegisterOptions,
): Change<RemoteReleases> {
  if (!isValidVersion(version)) throw new RegistryError(`"${version}" is not a valid version`);
  if (!isHttpOrigin(origin)) throw new RegistryError(`"${origin}" is not an origin like http://localhost:3011`);
  const current = registry[remote] ?? EMPTY;
  const withRelease: Registry = {
    ...registry,
    [remote]: { ...current, releases: { ...current.releases, [version]: { origin, registeredAt: now() } } },
  };
  const live = options.live === 'always' || (options.live === 'if-none' && current.live === null);
  const next = live && current.live !== version ? movingLive(withRelease, remote, version, options.by, undefined, 'registry').registry : withRelease;
  return { registry: next, result: next[remote] ?? EMPTY };
}

/**
 * Points `remote`'s live pointer at one of its registered releases (a deploy, a rollback, the
 * inbox's button), and ends any canary: after a move of the live pointer every visitor gets the
 * release it names. Answers the move of the live pointer (the canary's end when it was live already).
 */
export function movingLive(registry: Registry, remote: RemoteName, release: string, by: string, reason: string | undefined, where: string): Change<PointerMove> {
  const { entry, version } = registered(registry, remote, release, where);
  const at = now();
  const moves: PointerMove[] = [];
  if (entry.canary) {
    moves.push({
      from: entry.canary.version,
      to: version,
      at,
      by,
      kind: 'canary-end',
      percent: entry.canary.percent,
      reason: reason ?? `the live pointer moved to ${remote}@${version}`,
    });
  }
  if (!entry.canary || entry.live !== version) moves.push({ from: entry.live, to: version, at, by, kind: 'live', ...(reason ? { reason } : {}) });
  const next = withMoves(registry, remote, { ...entry, live: version, canary: null }, moves);
  return { registry: next, result: moves.at(-1) as PointerMove };
}

/** Sends `percent` % of visitors to `release`; a canary of the same release keeps its start (and its visitors). */
export function startingCanary(registry: Registry, remote: RemoteName, release: string, percent: number, by: string, where: string): Change<PointerMove> {
  const { entry, version } = registered(registry, remote, release, where);
  if (!isPercent(percent)) throw new RegistryError(`the percent of a canary must be an integer from 0 to 100, not ${percent}`);
  if (entry.live === null) throw new RegistryError(`${remote} has no live release; point at one first (npm run rollback -- ${remote} <release>)`);
  if (entry.live === version) throw new RegistryError(`${remote}@${version} is the live release already; a canary is another release`);
  const at = now();
  const since = entry.canary?.version === version ? entry.canary.since : at;
  const move: PointerMove = { from: entry.live, to: version, at, by, kind: 'canary', percent };
  const next = withMoves(registry, remote, { ...entry, canary: { version, percent, since, by } }, [move]);
  return { registry: next, result: move };
}

/** Makes the canary the live release, for every visitor, and ends the canary. */
export function promotingCanary(registry: Registry, remote: RemoteName, by: string, onlyIf?: string): Change<PointerMove> {
  const entry = registry[remote];
  if (!entry?.canary) throw new RegistryError(`${remote} has no canary to promote (start one: npm run canary -- ${remote} <release> --percent <n>)`);
  if (onlyIf !== undefined && versionOf(remote, onlyIf) !== entry.canary.version) {
    throw new RegistryError(`${remote}'s canary is now ${remote}@${entry.canary.version}, not ${remote}@${versionOf(remote, onlyIf)}: nothing promoted`);
  }
  const move: PointerMove = { from: entry.live, to: entry.canary.version, at: now(), by, kind: 'promote', percent: entry.canary.percent };
  const next = withMoves(registry, remote, { ...entry, live: entry.canary.version, canary: null }, [move]);
  return { registry: next, result: move };
}

export interface EndCanaryOptions {
  by: string;
  reason?: string;
  figures?: Readonly<Record<string, number | string>>;
  /** End it only if the canary is still this release (`shop@1.1.0` or `1.1.0`): a guard's decision is about one canary. */
  onlyIf?: string;
}

/** Ends `remote`'s canary: every visitor back on the live release. Null (nothing written) when there is no such canary. */
export function endingCanary(registry: Registry, remote: RemoteName, options: EndCanaryOptions): Change<PointerMove | null> {
  const entry = registry[remote];
  const canary = entry?.canary;
  if (!entry || !canary || entry.live === null) return { registry, result: null };
  if (options.onlyIf !== undefined && versionOf(remote, options.onlyIf) !== canary.version) return { registry, result: null };
  const move: PointerMove = {
    from: canary.version,
    to: entry.live,
    at: now(),
    by: options.by,
    kind: 'canary-end',
    percent: canary.percent,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.figures ? { figures: options.figures } : {}),
  };
  const next = withMoves(registry, remote, { ...entry, canary: null }, [move]);
  return { registry: next, result: move };
}
