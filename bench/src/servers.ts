/**
 * What a benchmark starts: the repository's npm scripts, each server in its own process group
 * through the testkit (stopping one stops npm and the node it started).
 */
import { fileURLToPath } from 'node:url';
import { run as runCommand, startProcess, type RunningProcess } from '@repo/testkit/process';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Env = Record<string, string>;

/** Runs `npm <args>` in the repository and waits until `readyUrl` answers. */
export function startScript(name: string, args: string[], readyUrl: string, env: Env = {}, timeoutMs = 120_000): Promise<RunningProcess> {
  return startProcess({ name, command: 'npm', args, cwd: REPO_ROOT, env, readyUrl, timeoutMs });
}

/** Runs a command to completion in the repository. */
export function run(command: string, args: string[], env: Env = {}, quiet = false): Promise<void> {
  return runCommand(command, args, { cwd: REPO_ROOT, env, quiet });
}
