/**
 * Which project each build's maps go to, and the sentry-cli command that sends them: pure, so
 * the fan-out and the choice of target are tested without a network.
 *
 * An event holds frames of every zone whose code ran in that page or request, whoever owns the
 * error: one routed to shop carries checkout's frames, one routed to checkout carries shop's.
 * Each project resolves only maps uploaded to it (as Sentry does), so a zone's maps go to its
 * own project and to every project that can receive events holding its frames.
 */
import { join } from 'node:path';
import { hostsOf, INBOX_ORG, isRemoteName, inboxUploadToken, ZONE_NAMES, type Env, type Owner, type Topology, type ZoneName } from '@repo/topology';
import { SOURCEMAPS_DIR } from './record.ts';

/** A zone build that recorded its release (see prepare.ts). */
export interface RecordedBuild {
  readonly zone: ZoneName;
  /** The Sentry release of the build's code, e.g. `shop@1.1.0`. */
  readonly release: string;
  /** The build's directory (`apps/shop/.next`, `apps/shop/.releases/1.1.0`), absolute. */
  readonly distDir: string;
}

export interface UploadTarget {
  /** `inbox`: the local inbox (the default); `sentry`: SENTRY_URL's Sentry. */
  readonly kind: 'inbox' | 'sentry';
  readonly url: string;
  readonly org: string;
  readonly token: string;
  /** Each owner's project slug at the target. */
  readonly projects: Readonly<Record<Owner, string>>;
}

/** Real Sentry's per-owner project slugs: `SENTRY_PROJECT_HOME`, `SENTRY_PROJECT_SHOP`, … */
export const SENTRY_PROJECT_ENV: Readonly<Record<Owner, string>> = {
  home: 'SENTRY_PROJECT_HOME',
  shop: 'SENTRY_PROJECT_SHOP',
  checkout: 'SENTRY_PROJECT_CHECKOUT',
};

export class MissingVariablesError extends Error {}

function value(env: Env, name: string): string | undefined {
  const given = env[name]?.trim();
  return given === undefined || given === '' ? undefined : given;
}

/**
 * Where maps go: the local inbox of the topology (org `local`, project slugs = owner names),
 * unless SENTRY_URL is set; then real Sentry, which needs SENTRY_ORG, SENTRY_AUTH_TOKEN and a
 * project slug per owner. A missing one is an error naming every missing variable.
 */
export function uploadTarget(env: Env, topology: Topology): UploadTarget {
  const url = value(env, 'SENTRY_URL');
  if (url === undefined) {
    const projects = Object.fromEntries(ZONE_NAMES.map((owner) => [owner, owner])) as Record<Owner, string>;
    return { kind: 'inbox', url: topology.inbox.origin, org: INBOX_ORG, token: inboxUploadToken(env), projects };
  }
  const required = ['SENTRY_ORG', 'SENTRY_AUTH_TOKEN', ...ZONE_NAMES.map((owner) => SENTRY_PROJECT_ENV[owner])];
  const missing = required.filter((name) => value(env, name) === undefined);
  if (missing.length > 0) {
    throw new MissingVariablesError(`SENTRY_URL is set, so maps go to that Sentry, which also needs: ${missing.join(', ')}`);
  }
  const projects = Object.fromEntries(ZONE_NAMES.map((owner) => [owner, value(env, SENTRY_PROJECT_ENV[owner])])) as Record<Owner, string>;
  return { kind: 'sentry', url, org: value(env, 'SENTRY_ORG') as string, token: value(env, 'SENTRY_AUTH_TOKEN') as string, projects };
}

/**
 * The owners whose projects can receive events holding `zone`'s frames: its own, the owners of
 * the remotes it hosts (their errors carry the host's frames), and, for a remote, the owners of
 * its hosts (the host's errors carry the remote's frames). Own first, then in topology order.
 */
export function receivingOwners(topology: Topology, zone: ZoneName): Owner[] {
  const self = topology.zones[zone];
  const others = new Set<Owner>([
    ...self.consumes.map((remote) => topology.zones[remote].owner),
    ...(isRemoteName(self.name) ? hostsOf(topology, self.name).map((host) => host.owner) : []),
  ]);
  return [self.owner, ...ZONE_NAMES.filter((owner) => owner !== self.owner && others.has(owner))];
}

/** The directories of a build that hold JS+map pairs: the server output and the maps taken out of static/. */
export function uploadDirs(distDir: string): string[] {
  return [join(distDir, 'server'), join(distDir, SOURCEMAPS_DIR, 'static')];
}

export interface UploadCommand {
  readonly build: RecordedBuild;
  readonly projects: readonly string[];
  /** sentry-cli's arguments; the token goes in `env`, never on a command line others can read. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export function planUploads(builds: readonly RecordedBuild[], target: UploadTarget, topology: Topology): UploadCommand[] {
  return builds.map((build) => {
    const projects = receivingOwners(topology, build.zone).map((owner) => target.projects[owner]);
    const args = [
      '--url', target.url,
      'sourcemaps', 'upload',
      '--org', target.org,
      '--release', build.release,
      ...projects.flatMap((project) => ['--project', project]),
      ...uploadDirs(build.distDir),
    ];
    return { build, projects, args, env: { SENTRY_AUTH_TOKEN: target.token } };
  });
}
