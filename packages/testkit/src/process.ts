/**
 * Servers that tests and benchmarks start: each in its own process group, so stopping it stops
 * what it spawned too (npm → sh → node), and freezing it (SIGSTOP) hangs the whole server: the
 * kernel still accepts connections, nothing answers.
 *
 * Nothing started here outlives the runner: on exit, and on SIGINT/SIGTERM/SIGHUP, every group
 * still running gets SIGCONT and SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartOptions {
  /** Names the process in errors. */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Added to this process's environment; `undefined` removes a variable. */
  env?: Readonly<Record<string, string | undefined>>;
  /** What answers once the process is ready to serve. */
  readyUrl?: string;
  /**
   * For a process that serves nothing (a watcher): ready once its output matches. Give this or
   * `readyUrl`.
   */
  readyOutput?: RegExp;
  /** Whether a response from `readyUrl` means ready; by default any status below 500. */
  ready?: (response: Response) => boolean;
  /** How long to wait for `readyUrl`; default 120 s. */
  timeoutMs?: number;
  /** Also print the process's output here (a command that serves in the foreground). */
  echo?: boolean;
  /** Every chunk of its output (stdout and stderr), for a caller that reads more than the tail. */
  onOutput?: (text: string) => void;
}

export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  /** The ready URL it answered on ('' for a process ready by its output). */
  readonly url: string;
  /** `url`'s origin ('' for a process ready by its output). */
  readonly origin: string;
  /** Stops the group (SIGCONT, SIGTERM, SIGKILL after 5 s) and waits until it has gone. */
  stop(): Promise<void>;
  /** Hangs the whole group (SIGSTOP). */
  freeze(): void;
  thaw(): void;
  /** Sends a signal to the whole group, e.g. SIGKILL to crash it. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The tail of what it printed on stdout and stderr. */
  output(): string;
}

const OUTPUT_TAIL = 8_000;
const POLL_MS = 50;
const ATTEMPT_MS = 2_000;
const STOP_GRACE_MS = 5_000;

const defaultReady = (response: Response) => response.status < 500;

/** Whether `url` answers and `ready` accepts the response. */
export async function answers(url: string, options: { ready?: (response: Response) => boolean; timeoutMs?: number } = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? ATTEMPT_MS), redirect: 'manual' });
    await response.body?.cancel();
    return (options.ready ?? defaultReady)(response);
  } catch {
    return false;
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  ready?: (response: Response) => boolean;
  /** Stop waiting, with this reason, when it settles first (the process exited). */
  abandon?: Promise<string>;
}

/**
 * Waits until `url` answers (by default any status below 500) and returns the milliseconds it took.
 * Infrastructure, not an assertion: it polls every 50 ms.
 */
export async function waitForUrl(url: string, options: WaitOptions = {}): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = performance.now();
  let abandoned: string | undefined;
  void options.abandon?.then((reason) => (abandoned = reason));
  for (;;) {
    if (abandoned !== undefined) throw new Error(abandoned);
    const left = timeoutMs - (performance.now() - started);
    if (left <= 0) throw new Error(`${url} did not answer within ${(timeoutMs / 1000).toFixed(1)} s`);
    if (await answers(url, { ready: options.ready, timeoutMs: Math.min(ATTEMPT_MS, left) })) return performance.now() - started;
    await Promise.race(options.abandon ? [sleep(POLL_MS), options.abandon] : [sleep(POLL_MS)]);
  }
}

const running = new Set<Started>();

interface Started {
  readonly child: ChildProcess;
  readonly handle: RunningProcess;
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

/** Whether any process of the group is still there (a zombie counts until its parent reaps it). */
const groupAlive = (pid: number) => signalGroup(pid, 0);

async function untilGroupGone(pid: number, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (groupAlive(pid)) {
    if (performance.now() > until) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Starts `command` in its own process group and waits until `readyUrl` answers. Refuses when
 * `readyUrl` already answers: that is someone else's server, and measuring or testing it would
 * be wrong. Fails with the tail of the process's output when it exits first or does not answer
 * in time (and then stops it).
 */
export async function startProcess(options: StartOptions): Promise<RunningProcess> {
  const { name, readyUrl = '', readyOutput } = options;
  if (!readyUrl && !readyOutput) throw new Error(`${name}: give readyUrl or readyOutput, to know when it is ready`);
  if (readyUrl && (await answers(readyUrl, { ready: () => true }))) {
    throw new Error(`${name}: ${readyUrl} already answers; stop whatever runs there first`);
  }
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-OUTPUT_TAIL);
    options.onOutput?.(text);
    if (options.echo) stream.write(chunk);
  };
  child.stdout?.on('data', keep(process.stdout));
  child.stderr?.on('data', keep(process.stderr));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // A command that cannot be spawned emits 'error' and never 'exit'.
    child.once('error', (error) => {
      tail += `\n${error.message}`;
      resolve(null);
    });
  });
  const pid = child.pid ?? 0;
  const group = (signal: NodeJS.Signals) => {
    if (pid) signalGroup(pid, signal);
  };

  const started: Started = {
    child,
    handle: {
      name,
      pid,
      url: readyUrl,
      origin: readyUrl ? new URL(readyUrl).origin : '',
      exited,
      output: () => tail,
      freeze: () => group('SIGSTOP'),
      thaw: () => group('SIGCONT'),
      signal: group,
      async stop() {
        if (pid) {
          group('SIGCONT');
          group('SIGTERM');
          // The leader may go first (npm); what it spawned gets the same grace.
          const gone = await Promise.race([exited.then(() => untilGroupGone(pid, STOP_GRACE_MS)), sleep(STOP_GRACE_MS, false, { ref: false })]);
          if (!gone) {
            group('SIGKILL');
            await exited;
            // Orphans are reaped by init; don't wait forever on one that isn't.
            await untilGroupGone(pid, 1_000);
          }
        }
        await exited;
        running.delete(started);
      },
    },
  };
  running.add(started);
  void exited.then(() => {
    if (!groupAlive(pid)) running.delete(started);
  });

  // 'exit' can come before the last output is read: give the pipes a moment to drain.
  const drained = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const died = exited.then(async (code) => {
    await Promise.race([drained, sleep(500, undefined, { ref: false })]);
    return `${name} exited (code ${code}) before ${readyUrl || `printing ${String(readyOutput)}`}:\n${tail}`;
  });
  try {
    if (readyUrl) await waitForUrl(readyUrl, { timeoutMs: options.timeoutMs, ready: options.ready, abandon: died });
    else if (readyOutput) await waitForOutput(() => tail, readyOutput, { timeoutMs: options.timeoutMs, abandon: died });
  } catch (error) {
    await started.handle.stop();
    const reason = (error as Error).message;
    throw new Error(reason.startsWith(`${name} exited`) ? reason : `${name} (pid ${pid}): ${reason}:\n${tail}`);
  }
  return started.handle;
}

/** Waits until `output()` matches `pattern` (polled every 50 ms, like a URL). */
async function waitForOutput(output: () => string, pattern: RegExp, options: Omit<WaitOptions, 'ready'>): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const until = performance.now() + timeoutMs;
  let abandoned: string | undefined;
  void options.abandon?.then((reason) => (abandoned = reason));
  while (!pattern.test(output())) {
    if (abandoned !== undefined) throw new Error(abandoned);
    if (performance.now() > until) throw new Error(`its output did not match ${String(pattern)} within ${(timeoutMs / 1000).toFixed(1)} s`);
    await sleep(POLL_MS);
  }
}

/** Stops every process started here that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(({ handle }) => handle.stop()));
}

/** Runs a command to completion, its output shown (`quiet`: its errors only); rejects when it fails. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Readonly<Record<string, string | undefined>>; quiet?: boolean } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}`)),
    );
  });
}

/** Last resort, synchronous: exit handlers cannot wait. */
function terminateAll(): void {
  for (const { handle } of running) {
    handle.signal('SIGCONT');
    handle.signal('SIGTERM');
  }
}

process.on('exit', terminateAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const onSignal = () => {
    terminateAll();
    // Alone, keep the signal's default (the runner ends); else the runner's own handler decides.
    if (process.listenerCount(signal) === 1) {
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    }
  };
  process.on(signal, onSignal);
}
