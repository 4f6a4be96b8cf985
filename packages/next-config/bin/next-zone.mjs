#!/usr/bin/env node
/**
 * `next-zone <dev|build|start> [--release <version>] [--defect <name>] [next args]`: the Next CLI,
 * run for the zone of the current workspace.
 *
 * It does what the Next CLI cannot be told from next.config:
 * - nextjs-mf needs Next to use the webpack installed in node_modules instead of Next's bundled
 *   copy. Next decides that from NEXT_PRIVATE_LOCAL_WEBPACK when its config loader starts, before
 *   next.config is read, so the switch has to be set in the process that starts Next.
 * - Next otherwise checks package-lock.json for the SWC binaries of every platform on each start
 *   and tries to rewrite it from the registry (which fails noisily offline and must never change
 *   the lockfile under CI); the lockfile is npm's business.
 * - the zone's port comes from the topology (HOME_PORT, SHOP_PORT, … or the defaults), so
 *   `npm run dev|start` in any app listens where every other zone expects it.
 * - releases: `--release 1.1.0` builds (or serves) the zone as that version, in its own directory
 *   `.releases/1.1.0`, so several releases of a remote can be built and served side by side
 *   (createNextConfig reads ZONE_RELEASE_VERSION). `--defect header` builds a release with a
 *   deliberate defect, for the workshop (ZONE_DEFECT).
 * - a remote that starts registers its release and origin in the release registry
 *   (FEDERATION_REGISTRY), and becomes live if no release of it is live yet; hosts find the
 *   registry through the same variable, set here for every zone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { resolveTopology, isZoneName } = await tsImport('@repo/topology', import.meta.url);
const { registryFile } = await tsImport('@repo/releases/default-file', import.meta.url);
const { isValidVersion } = await tsImport('@repo/releases', import.meta.url);

const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
if (!isZoneName(pkg.name)) {
  console.error(`next-zone: ${process.cwd()} is not a zone (package name "${pkg.name}").`);
  process.exit(2);
}
const topology = resolveTopology();
const zone = topology.zones[pkg.name];

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
  // Module Federation's build identity (`shop:1.1.0`), so each release's container gets its own
  // federation instance in a host that loads two releases.
  process.env.MF_BUILD_VERSION = release;
}
if (defect !== undefined) process.env.ZONE_DEFECT = defect;

const args = [command, ...rest];
const listens = command === 'dev' || command === 'start';
const portAt = rest.findIndex((a) => a === '-p' || a === '--port');
let port = zone.port;
if (portAt !== -1) port = Number(rest[portAt + 1]);
else if (listens) args.push('--port', String(port));

process.env.NEXT_PRIVATE_LOCAL_WEBPACK = 'true';
process.env.NEXT_IGNORE_INCORRECT_LOCKFILE = '1';
process.env.FEDERATION_REGISTRY = registryFile();

if (listens && zone.isRemote) {
  const { registerRelease } = await tsImport('@repo/releases/registry', import.meta.url);
  const version = release ?? pkg.version;
  const origin = `http://localhost:${port}`;
  const entry = registerRelease(process.env.FEDERATION_REGISTRY, zone.name, version, origin, {
    live: 'if-none',
    by: `${command} of ${zone.name}@${version}`,
  });
  console.log(`next-zone: ${zone.name}@${version} registered at ${origin}; live: ${zone.name}@${entry.live}`);
}

process.argv = [process.argv[0], 'next', ...args];
await import('next/dist/bin/next');
