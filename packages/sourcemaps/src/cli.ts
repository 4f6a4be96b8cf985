/**
 * `sourcemaps upload [--wait-for-inbox <seconds>] [<build dir>...]` (bin/sourcemaps.mjs; the root
 * `npm run sourcemaps:upload`): each recorded zone build's maps to every project that can receive
 * its frames. Without build dirs: every build found, `apps/<zone>/.next` and
 * `apps/<zone>/.releases/<version>`. Target: the local inbox, or real Sentry when SENTRY_URL is
 * set (plan.ts). `--wait-for-inbox 60` waits that long for the local inbox to answer first.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveTopology } from '@repo/topology';
import { uploadTarget } from './plan.ts';
import { findBuilds, readRecord } from './record.ts';
import { uploadBuilds, waitForTarget } from './upload.ts';
import type { RecordedBuild } from './plan.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const USAGE = 'usage: sourcemaps upload [--wait-for-inbox <seconds>] [<build dir>...]';

class UsageError extends Error {}

function buildsIn(dirs: string[]): RecordedBuild[] {
  if (dirs.length === 0) {
    const found = findBuilds(resolve(REPO_ROOT, 'apps'));
    for (const dir of found.unrecorded) console.log(`sourcemaps: ${relative(REPO_ROOT, dir)} was built without source maps (before they existed): rebuild it to upload`);
    if (found.builds.length === 0) throw new UsageError('no zone build with source maps found: run `npm run build` first');
    return found.builds;
  }
  return dirs.map((dir) => {
    const build = readRecord(resolve(dir));
    if (!build) throw new UsageError(`${dir} is not a production build of a zone with source maps (no sourcemaps/release.json)`);
    return build;
  });
}

async function upload(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'wait-for-inbox': { type: 'string' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
  const wait = parsed.values['wait-for-inbox'];
  const seconds = wait === undefined ? 0 : Number(wait);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--wait-for-inbox needs a number of seconds, not ${JSON.stringify(wait)}`);
  const builds = buildsIn(parsed.positionals);
  const topology = resolveTopology();
  const target = uploadTarget(process.env, topology);
  if (seconds > 0) await waitForTarget(target, topology, seconds);
  await uploadBuilds(builds, { topology, cwd: REPO_ROOT });
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command !== 'upload') throw new UsageError(USAGE);
  await upload(rest);
} catch (error) {
  console.error(`sourcemaps: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
