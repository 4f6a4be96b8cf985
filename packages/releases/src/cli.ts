/**
 * The release commands (root package.json):
 *
 *   npm run releases                                  every release, and which is live
 *   npm run rollback -- shop <release> [--force]      point the hosts at an earlier release
 *   npm run deploy -- shop <version> [--defect header] [--port 3011]
 *                                                     build a release, serve it, point at it
 *
 * The registry is FEDERATION_REGISTRY, else `.federation/registry.json` at the repository root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isZoneName, topology, ZONE_SPECS, type RemoteName } from '@repo/topology';
import { entryUrl, isValidVersion, versionOf } from './index.ts';
import { registryFile } from './default-file.ts';
import { moveLive, readRegistry, RegistryError } from './registry.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

class UsageError extends Error {}

function remoteArg(value: string | undefined): RemoteName {
  if (!value || !isZoneName(value) || !ZONE_SPECS[value].isRemote) {
    const remotes = Object.values(ZONE_SPECS).filter((z) => z.isRemote).map((z) => z.name);
    throw new UsageError(`name a remote (${remotes.join(', ')}), not ${JSON.stringify(value ?? '')}`);
  }
  return value as RemoteName;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

function flag(args: string[], name: string): boolean {
  const at = args.indexOf(name);
  if (at !== -1) args.splice(at, 1);
  return at !== -1;
}

/** Whether a release's browser entry answers within `ms`. */
async function answers(origin: string, ms = 1_000): Promise<boolean> {
  try {
    const response = await fetch(entryUrl({ origin }, 'browser'), { method: 'HEAD', signal: AbortSignal.timeout(ms) });
    return response.ok;
  } catch {
    return false;
  }
}

async function list(file: string): Promise<void> {
  const registry = readRegistry(file);
  console.log(`registry: ${file}`);
  const entries = Object.entries(registry) as [RemoteName, NonNullable<(typeof registry)[RemoteName]>][];
  if (entries.length === 0) console.log('no releases registered yet (a remote registers itself when it starts)');
  for (const [remote, entry] of entries) {
    for (const [version, record] of Object.entries(entry.releases)) {
      const up = (await answers(record.origin)) ? 'serving' : 'not answering';
      const live = entry.live === version ? '  ← live' : '';
      console.log(`${remote}@${version}  ${record.origin}  ${up}${live}`);
    }
  }
}

async function rollback(file: string, args: string[]): Promise<void> {
  const force = flag(args, '--force');
  const remote = remoteArg(args[0]);
  if (!args[1]) throw new UsageError('name the release to point at, e.g. `npm run rollback -- shop 1.0.0`');
  const version = versionOf(remote, args[1]);
  const record = readRegistry(file)[remote]?.releases[version];
  if (record && !force && !(await answers(record.origin))) {
    throw new RegistryError(
      `${remote}@${version} at ${record.origin} does not answer; pointing at it would put every host on its fallback. ` +
        'Start it first, or pass --force.',
    );
  }
  const move = moveLive(file, remote, version, 'rollback');
  console.log(`${remote}: live ${remote}@${move.from ?? 'none'} → ${remote}@${move.to} (${move.at})`);
}

async function waitUntilServing(origin: string, child: ReturnType<typeof spawn>, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the release's server exited (code ${child.exitCode})`);
    if (await answers(origin, 500)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the release did not answer at ${origin} within ${timeoutMs / 1000} s`);
}

async function deploy(file: string, args: string[]): Promise<void> {
  const defect = option(args, '--defect');
  const remote = remoteArg(args[0]);
  const port = Number(option(args, '--port') ?? topology.zones[remote].port + 10);
  const version = args[1] ? versionOf(remote, args[1]) : undefined;
  if (!version || !isValidVersion(version)) throw new UsageError('name the version to deploy, e.g. `npm run deploy -- shop 1.1.0`');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port must be a TCP port');
  const origin = `http://localhost:${port}`;
  const workspace = `apps/${remote}`;
  const releaseArgs = ['--release', version, ...(defect ? ['--defect', defect] : [])];

  console.log(`deploy: building ${remote}@${version}${defect ? ` with the "${defect}" defect` : ''}…`);
  const build = spawnSync('npm', ['run', 'build', '--workspace', workspace, '--', ...releaseArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, FEDERATION_REGISTRY: file },
  });
  if (build.status !== 0) throw new Error(`the build of ${remote}@${version} failed`);

  console.log(`deploy: serving ${remote}@${version} at ${origin}…`);
  const server = spawn('npm', ['run', 'start', '--workspace', workspace, '--', '--release', version, '--port', String(port)], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, FEDERATION_REGISTRY: file },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
  server.on('exit', (code) => {
    const live = readRegistry(file)[remote]?.live;
    if (live === version) {
      console.log(
        `deploy: ${remote}@${version} stopped but is still live: hosts show their fallback until you run ` +
          `\`npm run rollback -- ${remote} <release>\` (see \`npm run releases\`).`,
      );
    }
    process.exit(code ?? 0);
  });
  await waitUntilServing(origin, server);
  const move = moveLive(file, remote, version, 'deploy');
  console.log(`deploy: ${remote} live ${remote}@${move.from ?? 'none'} → ${remote}@${move.to}. Ctrl-C stops this release.`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const file = registryFile();
  if (command === 'list') return list(file);
  if (command === 'rollback') return rollback(file, args);
  if (command === 'deploy') return deploy(file, args);
  throw new UsageError('commands: list, rollback <remote> <release> [--force], deploy <remote> <version> [--defect <name>] [--port <n>]');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`${error instanceof UsageError ? 'usage' : 'error'}: ${(error as Error).message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
