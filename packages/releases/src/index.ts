/**
 * Releases of a remote, and where each is served. Pure and isomorphic: hosts' browser bundles use
 * it as well as their servers and the command-line tools.
 *
 * A release is an immutable build of a remote with its own version and its own asset location
 * (here, its own origin). Several can be served at once; the registry's pointer says which one
 * the hosts load. Moving the pointer is a deploy or a rollback: no host rebuilds or restarts.
 */
import { remoteEntryPath, type RemoteName } from '@repo/topology';

/** Where a host loads a remote from, for this request: one release at one location. */
export interface RemoteLocation {
  readonly remote: RemoteName;
  /** The release's version, `1.0.0`; `null` when no registry names one (the topology default). */
  readonly version: string | null;
  /** Origin serving the release's assets, `http://localhost:3001`. */
  readonly origin: string;
}

/** The release name events carry: `<owner>@<version>` (docs/contract.md), `shop@unknown` if unnamed. */
export function releaseName(location: Pick<RemoteLocation, 'remote' | 'version'>): string {
  return `${location.remote}@${location.version ?? 'unknown'}`;
}

/** The query parameter that names the release in its entry's URL. */
export const ENTRY_VERSION_PARAM = 'v';

/**
 * A release's container entry for one runtime (the path is the topology's). A named release's
 * URL carries its version, so it changes exactly when the release does: a browser may keep the
 * entry for as long as it likes (the remote serves `_next/static` as immutable), and a rollback or
 * a canary, which names another release, is a URL it has not seen.
 */
export function entryUrl(location: Pick<RemoteLocation, 'origin'> & { readonly version?: string | null }, runtime: 'browser' | 'server'): string {
  const url = `${location.origin}${remoteEntryPath(runtime)}`;
  return location.version ? `${url}?${ENTRY_VERSION_PARAM}=${encodeURIComponent(location.version)}` : url;
}

/** `shop@1.1.0` or `1.1.0` → `1.1.0`, for commands that accept either. */
export function versionOf(remote: RemoteName, release: string): string {
  const prefix = `${remote}@`;
  return release.startsWith(prefix) ? release.slice(prefix.length) : release;
}

/**
 * Versions are directory names and URL segments: letters, digits, dots, dashes, underscores and
 * pluses (semver with pre-release and build parts), nothing that could climb out of a directory.
 */
export function isValidVersion(version: string): boolean {
  return /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/.test(version) && !version.includes('..');
}

/**
 * The workshop's broken release: shop 1.1.0 whose Header throws (`npm run deploy -- shop 1.1.0
 * --defect header`; shop's `build:broken-release` script builds the same). Tests and the bench
 * serve it beside 1.0.0.
 */
export const BROKEN_RELEASE = { remote: 'shop', version: '1.1.0', defect: 'header' } as const;

/** Which pointer a visitor's request followed: the live release, or a canary's share of visitors. */
export type Rollout = 'live' | 'canary';

/**
 * The cookie that names a visitor: 32 lowercase hex digits, set by a host's server on the first
 * response that finds none. Ports do not isolate cookies, so every zone of the site sees the same
 * visitor, and a visitor keeps one bucket (and so one release) across home and checkout.
 */
export const VISITOR_COOKIE = 'mf_visitor';

/** A new visitor id: 128 random bits as 32 lowercase hex digits (Web Crypto: servers and browsers). */
export function newVisitorId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * A visitor's bucket, 0..99, the same for the same id everywhere (server render, hydration, every
 * zone). A canary of `percent` takes buckets below it, so raising the percent keeps the visitors
 * it already had. FNV-1a mixed by murmur3's finaliser: ids need not be random (any cookie value
 * works) and still spread evenly.
 */
export function bucketOf(visitor: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < visitor.length; i++) {
    hash ^= visitor.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % 100;
}
