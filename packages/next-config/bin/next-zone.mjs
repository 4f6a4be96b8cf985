#!/usr/bin/env node
/**
 * `next-zone <dev|build|start> [--release <version>] [--defect <name>] [next args]`: the Next CLI,
 * run for the zone of the current workspace, with what Next cannot read from next.config:
 *
 * - NEXT_PRIVATE_LOCAL_WEBPACK: nextjs-mf needs Next to use the webpack in node_modules instead
 *   of its bundled copy. Next decides that when its config loader starts, before it reads `.env`
 *   files or next.config, so only the process that starts Next can set it.
 * - NEXT_IGNORE_INCORRECT_LOCKFILE: Next otherwise checks package-lock.json for the SWC binaries
 *   of every platform when it loads SWC (also before next.config) and tries to rewrite it from
 *   the registry (noisy offline, and the lockfile must never change under CI).
 * - The port: Next listens on `--port` or PORT, never on a port from its config; this passes the
 *   zone's port from the topology (HOME_PORT, SHOP_PORT, … or the defaults), so `npm run
 *   dev|start` in any app listens where every other zone expects it.
 * - `--release 1.1.0` and `--defect header`: options Next's CLI would refuse. They become
 *   ZONE_RELEASE_VERSION and ZONE_DEFECT, which createNextConfig reads (a release builds into and
 *   serves from its own directory, `.releases/1.1.0`), and MF_BUILD_VERSION, Module Federation's
 *   build identity (`shop:1.1.0`), so two releases of shop get two federation instances in a host.
 * - FEDERATION_REGISTRY: the release registry, read at run time by the hosts' servers (which
 *   release of shop to load) and by shop's (instrumentation.ts registers the release it serves).
 *   Next's config can only compile a value in, so the default, the repository's
 *   `.federation/registry.json`, is set here when the variable is not.
 * - Source maps on `start`: beside the server, without holding it up, the build being served is
 *   uploaded to the local inbox once the inbox answers (@repo/sourcemaps uploadWhenInboxUp), so
 *   its maps are there even when turbo restored the build from cache. Not with SENTRY_URL (real
 *   Sentry gets maps from the deployment's `npm run sourcemaps:upload`), nor for control builds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { resolveTopology, isZoneName } = await tsImport('@repo/topology', import.meta.url);
const { registryFile } = await tsImport('@repo/releases/default-file', import.meta.url);
const { isValidVersion } = await tsImport('@repo/releases', import.meta.url);
const { distDirOf } = await tsImport('../src/transforms/dist-dir.ts', import.meta.url);

const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
if (!isZoneName(pkg.name)) {
  console.error(`next-zone: ${process.cwd()} is not a zone (package name "${pkg.name}").`);
  process.exit(2);
}
const zone = resolveTopology().zones[pkg.name];

/** Removes `--name value` from args and returns the value. */
function takeOption(args, name) {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('-')) {
    console.error(`next-zone: ${name} needs a value`);
    process.exit(2);
  }
  args.splice(at, 2);
  return value;
}

const [command, ...rest] = process.argv.slice(2);
const release = takeOption(rest, '--release');
const defect = takeOption(rest, '--defect');
if (release !== undefined && !isValidVersion(release)) {
  console.error(`next-zone: --release "${release}" is not a valid version (e.g. 1.1.0)`);
  process.exit(2);
}
if (release !== undefined) {
  process.env.ZONE_RELEASE_VERSION = release;
  process.env.MF_BUILD_VERSION = release;
}
if (defect !== undefined) process.env.ZONE_DEFECT = defect;

const args = [command, ...rest];
const listens = command === 'dev' || command === 'start';
if (listens && !rest.some((a) => a === '-p' || a === '--port')) args.push('--port', String(zone.port));

process.env.NEXT_PRIVATE_LOCAL_WEBPACK = 'true';
process.env.NEXT_IGNORE_INCORRECT_LOCKFILE = '1';
process.env.FEDERATION_REGISTRY = registryFile();

if (command === 'start' && process.env.FEDERATION_CONTROL !== 'local') {
  const { uploadWhenInboxUp } = await tsImport('@repo/sourcemaps', import.meta.url);
  const distDir = distDirOf({ phase: 'phase-production-server', control: false, releaseVersion: release });
  void uploadWhenInboxUp(join(process.cwd(), distDir));
}

process.argv = [process.argv[0], 'next', ...args];
await import('next/dist/bin/next');
