/**
 * The registry: one small JSON file listing each remote's releases (version → origin) and the
 * pointer to the live one. Hosts read it on every request (a `stat`, and a parse only when the
 * file changed); `deploy`, `rollback`, a remote's start-up and the inbox's button write it.
 *
 * A file, because this demo runs on one machine and needs no service to move a pointer; in
 * production the same three operations (register, point, read) would be a key in an edge config
 * or a registry service. Writes replace the file atomically (write a temporary file, fsync,
 * rename), so a reader sees the old registry or the new one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isZoneName, ZONE_SPECS, type RemoteName } from '@repo/topology';
import { isValidVersion, type RemoteLocation } from './index.ts';

export interface ReleaseRecord {
  readonly origin: string;
  readonly registeredAt: string;
}

/** One move of the pointer, newest last: who moved it (deploy, rollback, inbox, start) and when. */
export interface PointerMove {
  readonly from: string | null;
  readonly to: string;
  readonly at: string;
  readonly by: string;
}

export interface RemoteReleases {
  readonly live: string | null;
  readonly releases: Readonly<Record<string, ReleaseRecord>>;
  readonly moves: readonly PointerMove[];
}

export type Registry = Readonly<Partial<Record<RemoteName, RemoteReleases>>>;

/** How many pointer moves the registry remembers per remote. */
export const MOVES_KEPT = 50;

export class RegistryError extends Error {
  override name = 'RegistryError';
}

function isRemoteName(name: string): name is RemoteName {
  return isZoneName(name) && ZONE_SPECS[name].isRemote;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Parses and checks a registry; every way it can be wrong gets a message that says where. */
export function parseRegistry(text: string, file = 'registry'): Registry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(data)) throw new RegistryError(`${file} must hold an object of remotes, e.g. {"shop": {…}}`);
  const registry: Partial<Record<RemoteName, RemoteReleases>> = {};
  for (const [name, entry] of Object.entries(data)) {
    if (!isRemoteName(name)) throw new RegistryError(`${file}: "${name}" is not a remote of the topology`);
    if (!isRecord(entry) || !isRecord(entry.releases)) {
      throw new RegistryError(`${file}: ${name} needs "releases": {"<version>": {"origin": "http://…"}}`);
    }
    const releases: Record<string, ReleaseRecord> = {};
    for (const [version, record] of Object.entries(entry.releases)) {
      if (!isValidVersion(version)) throw new RegistryError(`${file}: ${name} release "${version}" is not a valid version`);
      if (!isRecord(record) || !isHttpOrigin(record.origin)) {
        throw new RegistryError(`${file}: ${name}@${version} needs an "origin" like "http://localhost:3011" (no path)`);
      }
      releases[version] = {
        origin: record.origin,
        registeredAt: typeof record.registeredAt === 'string' ? record.registeredAt : '',
      };
    }
    const live = entry.live ?? null;
    if (live !== null && (typeof live !== 'string' || !(live in releases))) {
      throw new RegistryError(`${file}: ${name}'s live release ${JSON.stringify(live)} is not one of its releases`);
    }
    const moves = Array.isArray(entry.moves) ? (entry.moves.filter(isRecord) as unknown as PointerMove[]) : [];
    registry[name] = { live, releases, moves };
  }
  return registry;
}

/** The registry in `file`; an empty one when the file does not exist yet. */
export function readRegistry(file: string): Registry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseRegistry(text, file);
}

function writeRegistry(file: string, registry: Registry): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(registry, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

function withMove(entry: RemoteReleases, move: PointerMove): RemoteReleases {
  return { ...entry, live: move.to, moves: [...entry.moves, move].slice(-MOVES_KEPT) };
}

export interface RegisterOptions {
  /** Make it live: always, or only when the remote has no live release yet (a first start). */
  live: 'always' | 'if-none' | 'never';
  by: string;
}

/** Records that `remote@version` is served at `origin` (a deploy, or a remote starting up). */
export function registerRelease(file: string, remote: RemoteName, version: string, origin: string, options: RegisterOptions): RemoteReleases {
  if (!isValidVersion(version)) throw new RegistryError(`"${version}" is not a valid version`);
  if (!isHttpOrigin(origin)) throw new RegistryError(`"${origin}" is not an origin like http://localhost:3011`);
  const registry = readRegistry(file);
  const current = registry[remote] ?? { live: null, releases: {}, moves: [] };
  let next: RemoteReleases = {
    ...current,
    releases: { ...current.releases, [version]: { origin, registeredAt: new Date().toISOString() } },
  };
  if (options.live === 'always' || (options.live === 'if-none' && next.live === null)) {
    if (next.live !== version) next = withMove(next, { from: next.live, to: version, at: new Date().toISOString(), by: options.by });
  }
  writeRegistry(file, { ...registry, [remote]: next });
  return next;
}

/** Points `remote` at one of its registered releases: a deploy's last step, or a rollback. */
export function moveLive(file: string, remote: RemoteName, version: string, by: string): PointerMove {
  const registry = readRegistry(file);
  const current = registry[remote];
  if (!current || !(version in current.releases)) {
    const known = current ? Object.keys(current.releases) : [];
    throw new RegistryError(
      `${remote}@${version} is not a registered release of ${remote}` +
        (known.length ? ` (registered: ${known.join(', ')})` : ` (none registered in ${file})`),
    );
  }
  const move: PointerMove = { from: current.live, to: version, at: new Date().toISOString(), by };
  writeRegistry(file, { ...registry, [remote]: withMove(current, move) });
  return move;
}

/** The live release of `remote` as a location, or null when the registry names none. */
export function liveLocation(registry: Registry, remote: RemoteName): RemoteLocation | null {
  const entry = registry[remote];
  if (!entry?.live) return null;
  const record = entry.releases[entry.live];
  return record ? { remote, version: entry.live, origin: record.origin } : null;
}

/**
 * A reader for servers that answer many requests: it re-reads the file only when its identity,
 * size or modification time changed, so a request pays for one `stat`. A registry that cannot be
 * read or parsed keeps the last good answer and says so once per change, instead of taking the
 * hosts' pages down with it.
 */
export function createRegistryReader(file: string, log: (message: string) => void = console.error): () => Registry {
  let seen = '';
  let last: Registry = {};
  return () => {
    let signature: string;
    try {
      const stat = statSync(file, { bigint: true });
      signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      signature = 'missing';
    }
    if (signature === seen) return last;
    seen = signature;
    try {
      last = signature === 'missing' ? {} : readRegistry(file);
    } catch (error) {
      log(`release registry: keeping the last good registry, ${(error as Error).message}`);
    }
    return last;
  };
}
