/**
 * The release commands (`releases`, this package's bin; the root package.json runs them):
 *
 *   npm run releases                                   every release, which is live, the canary, the last moves
 *   npm run rollback -- shop <release> [--force]       point the hosts at another release (ends any canary)
 *   npm run canary -- shop <release> --percent <n> [--force]
 *                                                      send n % of visitors to a release (again: change n)
 *   npm run promote -- shop [--force]                  make the canary live for everyone
 *   npm run deploy -- shop <version> [--defect header] [--port 3011] [--canary <n>]
 *                                                      build a release, serve it, point at it
 *                                                      (--canary: send n % of visitors to it instead)
 *
 * The registry is FEDERATION_REGISTRY (a file or an http(s) URL), else `.federation/registry.json`
 * at the repository root. Exit 2 for a usage error (a percent that is not an integer 0..100
 * included), 1 for a refusal (the message says why).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from '@repo/testkit/process';
import { isRemoteName, REMOTE_NAMES, topology, type RemoteName } from '@repo/topology';
import { entryUrl, isValidVersion, versionOf } from './index.ts';
import { RegistryError, type PointerMove, type Registry, type RemoteReleases } from './model.ts';
import { probeRelease } from './probe.ts';
import { moveLive, openRegistryStore, promoteCanary, startCanary, type RegistryStore } from './store.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** How many of a remote's last moves `list` shows. */
const MOVES_SHOWN = 5;
/** How long `deploy` waits for the release it started to register itself. */
const REGISTRATION_TIMEOUT_MS = 60_000;

class UsageError extends Error {}

const USAGE =
  'commands: list, rollback <remote> <release> [--force], canary <remote> <release> --percent <n> [--force], ' +
  'promote <remote> [--force], deploy <remote> <version> [--defect <name>] [--port <n>] [--canary <n>]';

/** The command's arguments; unknown options and missing values are usage errors. */
function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        force: { type: 'boolean' },
        defect: { type: 'string' },
        port: { type: 'string' },
        percent: { type: 'string' },
        canary: { type: 'string' },
      },
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

/** Whether a release's browser entry answers (2xx) within a second. */
async function serving(origin: string): Promise<boolean> {
  return (await probeRelease(origin)) === undefined;
}

/**
 * Refuses to send visitors to a registered release whose browser entry does not answer (they
 * would all get the remote's fallback), unless forced. An unregistered release is left to the
 * operation, which refuses it with the list of registered ones.
 */
async function refuseIfDown(entry: RemoteReleases | undefined, remote: RemoteName, version: string, what: string, force: boolean | undefined) {
  const record = entry?.releases[version];
  if (record && !force && !(await serving(record.origin))) {
    throw new RegistryError(
      `${remote}@${version} at ${record.origin} does not answer; ${what} would put its visitors on the fallback. ` +
        'Start it first, or pass --force.',
    );
  }
}

function describeMove(remote: RemoteName, move: PointerMove): string {
  const release = (version: string | null) => (version === null ? 'none' : `${remote}@${version}`);
  const percent = move.percent === undefined ? '' : ` ${move.percent} %`;
  const kind = move.kind ?? 'live';
  const figures = move.figures ? ` [${Object.entries(move.figures).map(([key, value]) => `${key}=${value}`).join(' ')}]` : '';
  return `${move.at}  ${kind}${percent}  ${release(move.from)} → ${release(move.to)}  by ${move.by}${move.reason ? `: ${move.reason}` : ''}${figures}`;
}

async function list(store: RegistryStore): Promise<void> {
  const registry = await store.read();
  console.log(`registry: ${store.location}`);
  const entries = Object.entries(registry) as [RemoteName, RemoteReleases][];
  if (entries.length === 0) console.log('no releases registered yet (a remote registers itself when it starts)');
  for (const [remote, entry] of entries) {
    for (const [version, record] of Object.entries(entry.releases)) {
      const up = (await serving(record.origin)) ? 'serving' : 'not answering';
      const canary = entry.canary?.version === version ? entry.canary : null;
      const role =
        entry.live === version ? '  ← live' : canary ? `  ← canary ${canary.percent} % since ${canary.since} (by ${canary.by})` : '';
      console.log(`${remote}@${version}  ${record.origin}  ${up}${role}`);
    }
    const moves = entry.moves.slice(-MOVES_SHOWN);
    if (moves.length) {
      console.log(`${remote}: last ${moves.length === 1 ? 'move' : `${moves.length} moves`}, newest last:`);
      for (const move of moves) console.log(`  ${describeMove(remote, move)}`);
    }
  }
}

async function rollback(store: RegistryStore, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const remote = remoteArg(positionals[0]);
  if (!positionals[1]) throw new UsageError('name the release to point at, e.g. `npm run rollback -- shop 1.0.0`');
  const version = versionOf(remote, positionals[1]);
  const entry = (await store.read())[remote];
  await refuseIfDown(entry, remote, version, 'pointing at it', values.force);
  const move = await moveLive(store, remote, version, 'rollback');
  if (entry?.canary) console.log(`${remote}: canary ${remote}@${entry.canary.version} (${entry.canary.percent} %) ended`);
  if (move.kind !== 'canary-end') console.log(`${remote}: live ${remote}@${move.from ?? 'none'} → ${remote}@${move.to} (${move.at})`);
}

/**
 * `--percent`: an integer from 0 to 100, written as one (`25`, not `25.0` or `1e1`). Anything
 * else is a usage error, like a `--port` that is not a port.
 */
function percentArg(value: string | undefined, option = '--percent'): number {
  if (value === undefined) throw new UsageError(`say how many visitors get the canary, e.g. \`${option} 25\``);
  if (!/^\d{1,3}$/.test(value.trim()) || Number(value) > 100) {
    throw new UsageError(`${option} must be an integer from 0 to 100, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

async function canary(store: RegistryStore, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const remote = remoteArg(positionals[0]);
  if (!positionals[1]) throw new UsageError('name the release, e.g. `npm run canary -- shop 1.2.0 --percent 25`');
  const version = versionOf(remote, positionals[1]);
  const percent = percentArg(values.percent);
  await refuseIfDown((await store.read())[remote], remote, version, 'a canary of it', values.force);
  const move = await startCanary(store, remote, version, percent, 'canary');
  console.log(`${remote}: canary ${remote}@${move.to} for ${percent} % of visitors, the rest on ${remote}@${move.from} (${move.at})`);
}

async function promote(store: RegistryStore, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const remote = remoteArg(positionals[0]);
  if (positionals.length > 1) throw new UsageError('promote takes only the remote: `npm run promote -- shop`');
  const entry = (await store.read())[remote];
  if (entry?.canary) await refuseIfDown(entry, remote, entry.canary.version, 'promoting it', values.force);
  const move = await promoteCanary(store, remote, 'promote');
  console.log(`${remote}: promoted ${remote}@${move.to} (canary at ${move.percent} %) to live, from ${remote}@${move.from ?? 'none'} (${move.at})`);
}

/** Waits until `remote@version` is in the registry: the release registers itself once its server has started. */
async function registered(store: RegistryStore, remote: RemoteName, version: string): Promise<void> {
  const deadline = Date.now() + REGISTRATION_TIMEOUT_MS;
  let registry: Registry = {};
  while (!(registry[remote]?.releases[version] !== undefined)) {
    if (Date.now() > deadline) {
      throw new RegistryError(`${remote}@${version} serves, but did not register itself in ${store.location} within ${REGISTRATION_TIMEOUT_MS / 1000} s`);
    }
    await sleep(100);
    registry = await store.read().catch(() => ({}));
  }
}

async function deploy(store: RegistryStore, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  const { defect } = values;
  const remote = remoteArg(positionals[0]);
  const port = Number(values.port ?? topology.zones[remote].port + 10);
  const version = positionals[1] ? versionOf(remote, positionals[1]) : undefined;
  if (!version || !isValidVersion(version)) throw new UsageError('name the version to deploy, e.g. `npm run deploy -- shop 1.1.0`');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port must be a TCP port');
  // Checked before the build, which takes a while: a bad percent should not wait for it.
  const canaryPercent = values.canary === undefined ? undefined : percentArg(values.canary, '--canary');
  const origin = `http://localhost:${port}`;
  const workspace = `apps/${remote}`;
  const releaseArgs = ['--release', version, ...(defect ? ['--defect', defect] : [])];
  const env = { FEDERATION_REGISTRY: store.location };

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
    ready: (response) => response.ok,
    echo: true,
  });
  // The server has its own process group, so Ctrl-C reaches only this command: stop it from here.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.stop());
  void server.exited.then(async (code) => {
    const entry = (await store.read().catch(() => ({}) as Registry))[remote];
    if (entry?.live === version || entry?.canary?.version === version) {
      console.log(
        `deploy: ${remote}@${version} stopped but is still ${entry.live === version ? 'live' : 'the canary'}: its visitors get the fallback until you run ` +
          `\`npm run rollback -- ${remote} <release>\` (see \`npm run releases\`).`,
      );
    }
    process.exit(code ?? 0);
  });
  // Serving is not enough: shop registers the release when its server has started (its
  // instrumentation), and only a registered release can be pointed at.
  await registered(store, remote, version);
  if (canaryPercent !== undefined) {
    const move = await startCanary(store, remote, version, canaryPercent, 'deploy');
    console.log(
      `deploy: ${remote} canary ${remote}@${move.to} for ${canaryPercent} % of visitors, the rest on ${remote}@${move.from}. ` +
        'Ctrl-C stops this release.',
    );
    return;
  }
  const move = await moveLive(store, remote, version, 'deploy');
  console.log(`deploy: ${remote} live ${remote}@${move.from ?? 'none'} → ${remote}@${move.to}. Ctrl-C stops this release.`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const store = openRegistryStore();
  if (command === 'list') return list(store);
  if (command === 'rollback') return rollback(store, args);
  if (command === 'canary') return canary(store, args);
  if (command === 'promote') return promote(store, args);
  if (command === 'deploy') return deploy(store, args);
  throw new UsageError(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`${error instanceof UsageError ? 'usage' : 'error'}: ${(error as Error).message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
