/**
 * What a build leaves for the upload: `<distDir>/sourcemaps/`, a directory Next never serves,
 * holds the maps taken out of `static/` (each beside a copy of its JS) and `release.json`, the
 * zone and release the build was made as, so the upload never guesses a release.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isZoneName, ZONE_NAMES, type ZoneName } from '@repo/topology';
import type { RecordedBuild } from './plan.ts';

export const SOURCEMAPS_DIR = 'sourcemaps';
const RECORD_FILE = 'release.json';

export interface BuildIdentity {
  readonly zone: ZoneName;
  readonly release: string;
}

export function writeRecord(distDir: string, identity: BuildIdentity): void {
  writeFileSync(join(distDir, SOURCEMAPS_DIR, RECORD_FILE), `${JSON.stringify({ zone: identity.zone, release: identity.release }, null, 2)}\n`);
}

/** The build in `distDir` if it recorded itself, else undefined (not built, or built before maps existed). */
export function readRecord(distDir: string): RecordedBuild | undefined {
  const file = join(distDir, SOURCEMAPS_DIR, RECORD_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { zone?: unknown; release?: unknown };
  if (typeof parsed.zone !== 'string' || !isZoneName(parsed.zone) || typeof parsed.release !== 'string' || parsed.release === '') {
    throw new Error(`${file}: not a build record ({ "zone": <zone>, "release": <release> })`);
  }
  return { zone: parsed.zone, release: parsed.release, distDir };
}

/** The files under `dir` (relative paths, sorted) whose names end with `suffix`; none when it does not exist. */
export function filesUnder(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith(suffix)).sort();
}

export interface FoundBuilds {
  readonly builds: RecordedBuild[];
  /** Build directories without a record: built before builds had source maps; rebuild them. */
  readonly unrecorded: string[];
}

/**
 * Every zone build under `appsDir`: each zone's `.next` and its named releases
 * `.releases/<version>` (the directories @repo/next-config's dist-dir transform builds into).
 * The benchmark's control builds (`.next-control`) and dev output are never uploaded.
 */
export function findBuilds(appsDir: string): FoundBuilds {
  const found: { builds: RecordedBuild[]; unrecorded: string[] } = { builds: [], unrecorded: [] };
  for (const zone of ZONE_NAMES) {
    const app = join(appsDir, zone);
    const releases = join(app, '.releases');
    const dirs = [join(app, '.next'), ...(existsSync(releases) ? readdirSync(releases).sort().map((version) => join(releases, version)) : [])];
    for (const dir of dirs.filter((d) => existsSync(join(d, 'BUILD_ID')))) {
      const build = readRecord(dir);
      if (build) found.builds.push(build);
      else found.unrecorded.push(dir);
    }
  }
  return found;
}
