/**
 * Starts and stops what a benchmark measures: the inbox and the zones' production servers, each
 * in its own process group so stopping it stops its children (npm → node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Server {
  name: string;
  url: string;
  process: ChildProcess;
}

const running: Server[] = [];

export async function isUp(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Waits until `url` answers, or fails after `timeoutMs`. */
export async function waitUntilUp(url: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await isUp(url)) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Runs an npm script in the repository and waits for `url` to answer. */
export async function startServer(
  name: string,
  args: string[],
  url: string,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<Server> {
  if (await isUp(url)) throw new Error(`${url} already answers: stop whatever runs there before benchmarking`);
  const child = spawn('npm', args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: 'ignore',
  });
  const server = { name, url, process: child };
  running.push(server);
  await waitUntilUp(url, timeoutMs);
  return server;
}

export function stopServer(server: Server): void {
  if (server.process.pid && server.process.exitCode === null) {
    try {
      process.kill(-server.process.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  running.splice(running.indexOf(server), 1);
}

export function stopAll(): void {
  for (const server of [...running]) stopServer(server);
}

/** Runs a command to completion in the repository, inheriting output. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`))));
  });
}

process.on('exit', stopAll);
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
