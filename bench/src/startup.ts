/**
 * How long a developer waits for `npm run dev`: from cold (no dev build directory), on a restart
 * that finds the previous run's compile cache, and for an edit of shop's Header to show in
 * checkout's page.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess, type RunningProcess } from '@repo/testkit/process';
import { ZONE_NAMES, topology, type ZoneName } from '@repo/topology';
import { REPO_ROOT } from './servers.ts';

export interface DevStart {
  /** Until the last zone served its `/` with shop's Header. */
  seconds: number;
  perZone: Record<ZoneName, number>;
}

export interface DevStartup {
  cold: DevStart;
  warm: DevStart;
  /** From saving an edit of shop's Header until checkout's `/` shows it; null: not within HOT_RELOAD_LIMIT_MS. */
  hotReloadSeconds: number | null;
}

/** The Header's source, which shop exposes and every zone renders. */
const HEADER_SOURCE = join(REPO_ROOT, 'apps', 'shop', 'src', 'exposed', 'Header.tsx');
/** The Header's markup, present once a zone renders it (the hosts' slot alone is not enough). */
const HEADER_MARK = 'data-testid="shop-header"';
/** Text of the Header that the hot-reload measure edits. */
const HEADER_TEXT = 'Federated Store';
const POLL_MS = 100;
/** One request may wait for a whole first compile. */
const REQUEST_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 300_000;
/** How long the hot-reload measure waits for the edit to show before it gives up on it. */
export const HOT_RELOAD_LIMIT_MS = 30_000;

/** Removes only what `next dev` writes (`.next-dev*`, see @repo/next-config's dist-dir transform). */
function removeDevBuilds(): void {
  for (const zone of ZONE_NAMES) {
    const app = join(REPO_ROOT, 'apps', zone);
    for (const dir of readdirSync(app).filter((name) => name.startsWith('.next-dev'))) rmSync(join(app, dir), { recursive: true, force: true });
  }
}

async function pageOf(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await response.text();
    return response.ok ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Polls `url` until its page contains `text`: the milliseconds since `since`, or null after `timeoutMs`. */
async function untilPageHas(url: string, text: string, since: number, dev: RunningProcess, timeoutMs: number): Promise<number | null> {
  let exited = false;
  void dev.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`npm run dev exited:\n${dev.output()}`);
    if ((await pageOf(url))?.includes(text)) return performance.now() - since;
    if (performance.now() - since > timeoutMs) return null;
    await sleep(POLL_MS);
  }
}

/** What the measures print: their progress, and everything the dev servers print. */
type Log = (text: string) => void;

/** Starts `npm run dev` and waits until every zone's `/` has shop's Header; the dev stack keeps running. */
async function startDev(log: Log): Promise<{ dev: RunningProcess; start: DevStart }> {
  const started = performance.now();
  const dev = await startProcess({
    name: 'npm run dev',
    command: 'npm',
    args: ['run', 'dev'],
    cwd: REPO_ROOT,
    readyUrl: `${topology.inbox.origin}/healthz`,
    timeoutMs: START_TIMEOUT_MS,
    onOutput: log,
  });
  try {
    const perZone = {} as Record<ZoneName, number>;
    // All zones at once, as a developer opening each would: they compile in parallel anyway.
    await Promise.all(
      ZONE_NAMES.map(async (name) => {
        const url = `${topology.zones[name].origin}/`;
        const ms = await untilPageHas(url, HEADER_MARK, started, dev, START_TIMEOUT_MS);
        if (ms === null) throw new Error(`${url} did not render shop's Header within ${START_TIMEOUT_MS / 1000} s`);
        perZone[name] = ms / 1000;
      }),
    );
    return { dev, start: { seconds: (performance.now() - started) / 1000, perZone } };
  } catch (error) {
    await dev.stop();
    throw error;
  }
}

/** `npm run dev` from cold (no dev build directory) until every zone serves shop's Header. */
export async function devColdStart(log: Log = () => {}): Promise<DevStart> {
  removeDevBuilds();
  const { dev, start } = await startDev(log);
  await dev.stop();
  return start;
}

/**
 * Edits the Header's text and waits until checkout's server-rendered `/` shows it; the file is
 * put back whatever happens.
 */
async function hotReload(dev: RunningProcess): Promise<number | null> {
  const original = readFileSync(HEADER_SOURCE, 'utf8');
  if (!original.includes(HEADER_TEXT)) throw new Error(`${HEADER_SOURCE} no longer has the text "${HEADER_TEXT}" this measure edits`);
  const edited = `${HEADER_TEXT} ${Date.now().toString(36)}`;
  try {
    const since = performance.now();
    writeFileSync(HEADER_SOURCE, original.replace(HEADER_TEXT, edited));
    const ms = await untilPageHas(`${topology.zones.checkout.origin}/`, edited, since, dev, HOT_RELOAD_LIMIT_MS);
    return ms === null ? null : ms / 1000;
  } finally {
    writeFileSync(HEADER_SOURCE, original);
  }
}

/** Cold start, then a restart on the cache it left, then an edit of the Header seen in checkout. */
export async function devStartup(log: Log = () => {}): Promise<DevStartup> {
  const cold = await devColdStart(log);
  log(`\n[startup] cold: ${JSON.stringify(cold)}\n`);
  const { dev, start: warm } = await startDev(log);
  log(`\n[startup] warm: ${JSON.stringify(warm)}\n`);
  try {
    return { cold, warm, hotReloadSeconds: await hotReload(dev) };
  } finally {
    await dev.stop();
  }
}
