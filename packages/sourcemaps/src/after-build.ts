/** What @repo/next-config runs after a production build, and beside a production server. */
import { resolveTopology, type Env } from '@repo/topology';
import { prepareBuild } from './prepare.ts';
import { uploadTarget } from './plan.ts';
import { readRecord, SOURCEMAPS_DIR, type BuildIdentity } from './record.ts';
import { inboxAnswers, uploadBuilds, waitForTarget, type Log } from './upload.ts';

/**
 * Debug IDs and maps for the build in `distDir` (prepare.ts); then, when the target is the local
 * inbox and it is up, its upload, so a newcomer's stacks read well without a step of their own.
 * The upload never fails the build: an inbox that is down or refuses gets one line, and
 * `npm run sourcemaps:upload` does it later.
 */
export async function afterProductionBuild(distDir: string, identity: BuildIdentity, env: Env = process.env, log: Log = console.log): Promise<void> {
  const prepared = await prepareBuild(distDir, identity);
  log(`sourcemaps: ${identity.release}: debug IDs in ${prepared.maps} files with maps, ${prepared.moved} maps moved out of static/ into ${SOURCEMAPS_DIR}/`);
  if (env.SENTRY_URL?.trim()) {
    log(`sourcemaps: ${identity.release} is not uploaded by the build (SENTRY_URL is set): run \`npm run sourcemaps:upload\` where it is deployed`);
    return;
  }
  const topology = resolveTopology(env);
  if (!(await inboxAnswers(topology))) {
    log(`sourcemaps: the inbox at ${topology.inbox.origin} is not up; \`npm run sourcemaps:upload\` sends ${identity.release}'s maps there later`);
    return;
  }
  try {
    await uploadBuilds([{ ...identity, distDir }], { env, topology, log });
  } catch (error) {
    log(`sourcemaps: the upload of ${identity.release} to the inbox failed; the build goes on (${(error as Error).message.split('\n')[0]})`);
  }
}

/**
 * What `next-zone start` runs beside the server it starts, without waiting for it: once the local
 * inbox answers (it may start after the zone, as under `npm run start`), upload the build being
 * served, so its maps are there even when turbo restored the build from its cache and no build
 * hook ran. The inbox keeps one copy of a bundle it already has. Never throws.
 */
export async function uploadWhenInboxUp(distDir: string, seconds = 600, env: Env = process.env, log: Log = console.log): Promise<void> {
  const build = readRecord(distDir);
  if (env.SENTRY_URL?.trim() || !build) return;
  const topology = resolveTopology(env);
  try {
    await waitForTarget(uploadTarget(env, topology), topology, seconds);
    await uploadBuilds([build], { env, topology, log });
  } catch (error) {
    log(`sourcemaps: ${build.release} was not uploaded to the inbox (${(error as Error).message.split('\n')[0]}); \`npm run sourcemaps:upload\` does it`);
  }
}
