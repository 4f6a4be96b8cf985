/**
 * The release commands (`releases`, this package's bin; the root package.json runs them):
 *
 *   npm run releases                                  every release, and which is live
 *   npm run rollback -- shop <release> [--force]      point the hosts at an earlier release
 *   npm run deploy -- shop <version> [--defect header] [--port 3011]
 *                                                     build a release, serve it, point at it
 *
 * The registry is FEDERATION_REGISTRY, else `.federation/registry.json` at the repository root.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { answers, startProcess } from '@repo/testkit/process';
import { isRemoteName, REMOTE_NAMES, topology, type RemoteName } from '@repo/topology';
import { entryUrl, isValidVersion, versionOf } from './index.ts';
import { registryFile } from './default-file.ts';
import { moveLive, readRegistry, RegistryError } from './registry.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

class UsageError extends Error {}

const USAGE = 'commands: list, rollback <remote> <release> [--force], deploy <remote> <version> [--defect <name>] [--port <n>]';

/** The command's arguments; unknown options and missing values are usage errors. */
function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { force: { type: 'boolean' }, defect: { type: 'string' }, port: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
}

function remoteArg(value: string | undefined): RemoteName {
  if (!value || !isRemoteName(value)) {
    throw new UsageError(`name a remote (${REMOTE_NAMES.join(', ')}), not ${JSON.stringify(value ?? '')}`);
  }
  return value;
}

/** Whether a release's browser entry answers (2xx) within `ms`. */
function serving(origin: string, ms = 1_000): Promise<boolean> {
  return answers(entryUrl({ origin }, 'browser'), { ready: (response) => response.ok, timeoutMs: ms });
}

async function list(file: string): Promise<void> {
  const registry = readRegistry(file);
  console.log(`registry: ${file}`);
  const entries = Object.entries(registry) as [RemoteName, NonNullable<(typeof registry)[RemoteName]>][];
  if (entries.length === 0) console.log('no releases registered yet (a remote registers itself when it starts)');
  for (const [remote, entry] of entries) {
    for (const [version, record] of Object.entries(entry.releases)) {
      const up = (await serving(record.origin)) ? 'serving' : 'not answering';
      const live = entry.live === version ? '  ← live' : '';
      console.log(`${remote}@${version}  ${record.origin}  ${up}${live}`);
    }
  }
}

async function rollback(file: string, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const remote = remoteArg(positionals[0]);
  if (!positionals[1]) throw new UsageError('name the release to point at, e.g. `npm run rollback -- shop 1.0.0`');
  const version = versionOf(remote, positionals[1]);
  const record = readRegistry(file)[remote]?.releases[version];
  if (record && !values.force && !(await serving(record.origin))) {
    throw new RegistryError(
      `${remote}@${version} at ${record.origin} does not answer; pointing at it would put every host on its fallback. ` +
        'Start it first, or pass --force.',
    );
  }
  const move = moveLive(file, remote, version, 'rollback');
  console.log(`${remote}: live ${remote}@${move.from ?? 'none'} → ${remote}@${move.to} (${move.at})`);
}

async function deploy(file: string, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const { defect } = values;
  const remote = remoteArg(positionals[0]);
  const port = Number(values.port ?? topology.zones[remote].port + 10);
  const version = positionals[1] ? versionOf(remote, positionals[1]) : undefined;
  if (!version || !isValidVersion(version)) throw new UsageError('name the version to deploy, e.g. `npm run deploy -- shop 1.1.0`');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port must be a TCP port');
  const origin = `http://localhost:${port}`;
  const workspace = `apps/${remote}`;
  const releaseArgs = ['--release', version, ...(defect ? ['--defect', defect] : [])];
  const env = { FEDERATION_REGISTRY: file };

  console.log(`deploy: building ${remote}@${version}${defect ? ` with the "${defect}" defect` : ''}…`);
  const build = spawnSync('npm', ['run', 'build', '--workspace', workspace, '--', ...releaseArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (build.status !== 0) throw new Error(`the build of ${remote}@${version} failed`);

  console.log(`deploy: serving ${remote}@${version} at ${origin}…`);
  const server = await startProcess({
    name: `${remote}@${version}`,
    command: 'npm',
    args: ['run', 'start', '--workspace', workspace, '--', '--release', version, '--port', String(port)],
    cwd: REPO_ROOT,
    env,
    readyUrl: entryUrl({ origin }, 'browser'),
    // Serving is not enough: shop registers the release when its server has started (its
    // instrumentation), and only a registered release can be pointed at.
    ready: (response) => response.ok && readRegistry(file)[remote]?.releases[version] !== undefined,
    echo: true,
  });
  // The server has its own process group, so Ctrl-C reaches only this command: stop it from here.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.stop());
  void server.exited.then((code) => {
    const live = readRegistry(file)[remote]?.live;
    if (live === version) {
      console.log(
        `deploy: ${remote}@${version} stopped but is still live: hosts show their fallback until you run ` +
          `\`npm run rollback -- ${remote} <release>\` (see \`npm run releases\`).`,
      );
    }
    process.exit(code ?? 0);
  });
  const move = moveLive(file, remote, version, 'deploy');
  console.log(`deploy: ${remote} live ${remote}@${move.from ?? 'none'} → ${remote}@${move.to}. Ctrl-C stops this release.`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const file = registryFile();
  if (command === 'list') return list(file);
  if (command === 'rollback') return rollback(file, args);
  if (command === 'deploy') return deploy(file, args);
  throw new UsageError(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`${error instanceof UsageError ? 'usage' : 'error'}: ${(error as Error).message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
