#!/usr/bin/env node
/**
 * `next-zone <dev|build|start> [args]`: the Next CLI, run for the zone of the current workspace.
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
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { resolveTopology, isZoneName } = await tsImport('@repo/topology', import.meta.url);

const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
if (!isZoneName(pkg.name)) {
  console.error(`next-zone: ${process.cwd()} is not a zone (package name "${pkg.name}").`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
const args = [command, ...rest];
const listens = command === 'dev' || command === 'start';
if (listens && !rest.some((a) => a === '-p' || a === '--port' || a.startsWith('--port='))) {
  args.push('--port', String(resolveTopology().zones[pkg.name].port));
}

process.env.NEXT_PRIVATE_LOCAL_WEBPACK = 'true';
process.env.NEXT_IGNORE_INCORRECT_LOCKFILE = '1';
process.argv = [process.argv[0], 'next', ...args];
await import('next/dist/bin/next');
