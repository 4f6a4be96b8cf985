/**
 * What a production build needs before anything serves or uploads it, run once all of Next's
 * compilers are done (runAfterProductionCompile):
 *
 * 1. `sentry-cli sourcemaps inject` over the server output, nextjs-mf's copies of it (`ssr/`,
 *    `static/ssr/`, what hosts' servers load) and `static/` (browsers): every JS file gets a
 *    debug ID, the same in identical copies, and its map gets it too. The snippet goes on its own
 *    line after `"use strict"`, so no code stays on line 1, where the wrappers that evaluate
 *    shop's server code in a host shift every column.
 * 2. Every map under `static/` (what Next serves at `/_next/static/`) moves to
 *    `sourcemaps/static/`, beside a copy of its JS (an artifact bundle pairs them), so no zone
 *    serves a map. Server maps stay where they are: nothing serves `server/` or `ssr/`.
 * 3. `sourcemaps/release.json` records the zone and release the upload will name.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { filesUnder, SOURCEMAPS_DIR, writeRecord, type BuildIdentity } from './record.ts';
import { sentryCli } from './sentry-cli.ts';

/** The directories of a build that hold JS a browser or a server runs. */
const CODE_DIRS = ['server', 'ssr', 'static'];

export interface PreparedBuild {
  /** Maps that got a debug ID (one per JS file that has a map). */
  readonly maps: number;
  /** Of those, the ones moved out of `static/`. */
  readonly moved: number;
}

export async function prepareBuild(distDir: string, identity: BuildIdentity): Promise<PreparedBuild> {
  const dirs = CODE_DIRS.map((dir) => join(distDir, dir)).filter((dir) => existsSync(dir));
  if (dirs.length > 0) await sentryCli(['sourcemaps', 'inject', ...dirs]);
  const maps = dirs.reduce((count, dir) => count + filesUnder(dir, '.map').length, 0);

  const out = join(distDir, SOURCEMAPS_DIR);
  rmSync(out, { recursive: true, force: true });
  const staticDir = join(distDir, 'static');
  const staticMaps = filesUnder(staticDir, '.map');
  for (const map of staticMaps) {
    const target = join(out, 'static', map);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(staticDir, map), target);
    const code = map.slice(0, -'.map'.length);
    if (existsSync(join(staticDir, code))) copyFileSync(join(staticDir, code), join(out, 'static', code));
  }
  mkdirSync(out, { recursive: true });
  writeRecord(distDir, identity);
  return { maps, moved: staticMaps.length };
}
