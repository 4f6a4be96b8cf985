/**
 * When an issue counts as a regression: it is seen again in a newer release than any it was
 * seen in before.
 *
 * "Newer", kept simple: a release the issue has not been seen in, and, where versions can be
 * compared, above every release of the same package the issue was seen in. A release is
 * comparable when it reads `[<package>@]<major>[.<minor>[.<patch>]][-<pre>][+<build>]`
 * (`shop@1.4.0`, `1.4.0-rc.1`): numbers compare numerically, a pre-release is below its release,
 * build metadata is ignored. Releases that are not versions (git SHAs, dates) compare with
 * nothing, so for them "not seen before" alone makes a regression.
 */

export interface Version {
  readonly pkg: string;
  readonly numbers: readonly number[];
  readonly pre: string | undefined;
}

const VERSION = /^(?:(.+)@)?v?(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseVersion(release: string): Version | undefined {
  const match = VERSION.exec(release);
  if (!match?.[2]) return undefined;
  return { pkg: match[1] ?? '', numbers: match[2].split('.').map(Number), pre: match[3] };
}

/** Negative, zero or positive as `a` is below, equal to or above `b` (same package assumed). */
export function compareVersions(a: Version, b: Version): number {
  const length = Math.max(a.numbers.length, b.numbers.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (difference !== 0) return difference;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return a.pre.localeCompare(b.pre, 'en', { numeric: true });
}

/** Whether `release` is newer (in the sense above) than every release in `seen`. */
export function isNewerRelease(release: string, seen: Iterable<string>): boolean {
  const version = parseVersion(release);
  for (const previous of seen) {
    if (previous === release) return false;
    const other = version && parseVersion(previous);
    if (version && other && other.pkg === version.pkg && compareVersions(version, other) <= 0) return false;
  }
  return true;
}
