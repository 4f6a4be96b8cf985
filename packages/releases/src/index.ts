/**
 * Releases of a remote, and where each is served. Pure and isomorphic: hosts' browser bundles use
 * it as well as their servers and the command-line tools.
 *
 * A release is an immutable build of a remote with its own version and its own asset location
 * (here, its own origin). Several can be served at once; the registry's pointer says which one
 * the hosts load. Moving the pointer is a deploy or a rollback: no host rebuilds or restarts.
 */
import type { RemoteName } from '@repo/topology';

/** Where a host loads a remote from, for this request: one release at one location. */
export interface RemoteLocation {
  readonly remote: RemoteName;
  /** The release's version, `1.0.0`; `null` when no registry names one (the topology default). */
  readonly version: string | null;
  /** Origin serving the release's assets, `http://localhost:3001`. */
  readonly origin: string;
}

/** The release name events carry: `<owner>@<version>` (CONTRACT.md), `shop@unknown` if unnamed. */
export function releaseName(location: Pick<RemoteLocation, 'remote' | 'version'>): string {
  return `${location.remote}@${location.version ?? 'unknown'}`;
}

/**
 * A release's container entry. Next builds two bundles per app, so a remote serves two entries:
 * one for browsers (`static/chunks`) and one a host's Node server evaluates (`static/ssr`).
 */
export function entryUrl(location: Pick<RemoteLocation, 'origin'>, runtime: 'browser' | 'server'): string {
  const dir = runtime === 'server' ? 'ssr' : 'chunks';
  return `${location.origin}/_next/static/${dir}/remoteEntry.js`;
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
