/** Runs the upload plan (plan.ts) with sentry-cli, one line of output per build. */
import { relative } from 'node:path';
import { answers, waitForUrl } from '@repo/testkit/process';
import { resolveTopology, type Env, type Topology } from '@repo/topology';
import { planUploads, uploadDirs, uploadTarget, type RecordedBuild, type UploadTarget } from './plan.ts';
import { filesUnder } from './record.ts';
import { sentryCli } from './sentry-cli.ts';

export type Log = (line: string) => void;

/** The inbox's liveness URL; it answers 200 once it accepts events and uploads. */
export function inboxHealthUrl(topology: Topology): string {
  return `${topology.inbox.origin}/healthz`;
}

/** Whether the local inbox answers within `ms`. */
export function inboxAnswers(topology: Topology, ms = 1_000): Promise<boolean> {
  return answers(inboxHealthUrl(topology), { ready: (response) => response.ok, timeoutMs: ms });
}

/** Waits up to `seconds` for the target if it is the local inbox (a real Sentry is up, or the upload says why not). */
export async function waitForTarget(target: UploadTarget, topology: Topology, seconds: number): Promise<void> {
  if (target.kind === 'inbox') await waitForUrl(inboxHealthUrl(topology), { timeoutMs: seconds * 1000, ready: (response) => response.ok });
}

function mapsIn(build: RecordedBuild): number {
  return uploadDirs(build.distDir).reduce((count, dir) => count + filesUnder(dir, '.map').length, 0);
}

/** Uploads each build's maps to every project that can receive its frames; throws on the first failure. */
export async function uploadBuilds(builds: readonly RecordedBuild[], options: { env?: Env; topology?: Topology; log?: Log; cwd?: string } = {}): Promise<void> {
  const env = options.env ?? process.env;
  const topology = options.topology ?? resolveTopology(env);
  const log = options.log ?? console.log;
  const target = uploadTarget(env, topology);
  for (const command of planUploads(builds, target, topology)) {
    await sentryCli(command.args, command.env);
    const where = relative(options.cwd ?? process.cwd(), command.build.distDir) || '.';
    log(`sourcemaps: ${command.build.release} (${where}) → ${target.url} ${target.org}/{${command.projects.join(',')}}: ${mapsIn(command.build)} maps`);
  }
}
