/**
 * How servers read the registry on every request without waiting for it.
 *
 * A file: one `stat` per call, and a parse only when the file changed (its identity, size or
 * modification time).
 *
 * A URL: a request must not wait on another machine, so the reader polls in the background with
 * conditional GETs (If-None-Match: 304 costs the server nothing), at most every POLL_MS, started
 * by the first call; each call answers the last registry read at once. Before the first answer
 * arrives that is an empty registry (hosts use the topology's address). Its timers are unref'd:
 * it never keeps a process alive.
 *
 * Either way, a registry that cannot be read or parsed (or, at a URL, is not found) keeps the last good one, instead of
 * taking the hosts' pages down with it, and says so once (and once again when it is readable).
 */
import { statSync } from 'node:fs';
import { readRegistry } from './file-store.ts';
import { fetchRegistry } from './http-store.ts';
import { isRegistryUrl, type Registry } from './model.ts';

/** How often a host asks an HTTP registry whether it changed: a move is followed within about this. */
export const POLL_MS = 250;

export interface RegistryReader {
  /** The last good registry; never waits. */
  (): Registry;
  /** Resolves after the next read attempt has finished (for tests and warm-ups; a file reads at once). */
  next(): Promise<Registry>;
  /** Stops background reading (a URL); a later call starts it again. */
  stop(): void;
}

const LOG_PREFIX = 'release registry';

function fileReader(file: string, log: (line: string) => void): RegistryReader {
  let seen = '';
  let last: Registry = {};
  let failing = false;
  const read = (): Registry => {
    let signature: string;
    let statError: Error | undefined;
    try {
      const stat = statSync(file, { bigint: true });
      signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') statError = error as Error;
      signature = statError ? `error:${statError.message}` : 'missing';
    }
    if (signature === seen) return last;
    seen = signature;
    try {
      if (statError) throw statError;
      last = signature === 'missing' ? {} : readRegistry(file);
      if (failing) log(`${LOG_PREFIX} ${file}: readable again`);
      failing = false;
    } catch (error) {
      // Once per bad version of the file (a new signature), not once per request.
      log(`${LOG_PREFIX}: keeping the last good registry, ${(error as Error).message}`);
      failing = true;
    }
    return last;
  };
  return Object.assign(read, { next: async () => read(), stop: () => {} });
}

function urlReader(url: string, log: (line: string) => void): RegistryReader {
  let last: Registry = {};
  let etag: string | null = null;
  let failing = false;
  let running = false;
  let polling = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiters: ((registry: Registry) => void)[] = [];

  async function poll(): Promise<void> {
    polling = true;
    const started = Date.now();
    try {
      const fetched = await fetchRegistry(url, etag);
      // For a writer a missing registry is one to create; for a reader that had one it is more
      // likely a wrong URL or a deleted object than an intent to unregister everything.
      if (fetched.kind === 'registry' && !fetched.exists) throw new Error(`${url}: GET answered 404 Not Found`);
      if (fetched.kind === 'registry') {
        last = fetched.registry;
        etag = fetched.etag;
      }
      if (failing) log(`${LOG_PREFIX} ${url}: readable again`);
      failing = false;
    } catch (error) {
      if (!failing) log(`${LOG_PREFIX}: keeping the last good registry until ${url} answers again, ${(error as Error).message}`);
      failing = true;
    }
    polling = false;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve(last);
    if (running) {
      timer = setTimeout(() => void poll(), Math.max(0, POLL_MS - (Date.now() - started)));
      // Only a caller waiting on next() keeps the process alive for the next read.
      if (waiters.length === 0) timer.unref();
    }
  }

  function start(): void {
    if (running) return;
    running = true;
    if (!polling) void poll();
  }

  const read = (): Registry => {
    start();
    return last;
  };
  return Object.assign(read, {
    next: () => {
      const answered = new Promise<Registry>((resolve) => waiters.push(resolve));
      timer?.ref();
      start();
      return answered;
    },
    stop: () => {
      running = false;
      clearTimeout(timer);
    },
  });
}

/**
 * A reader for servers that answer many requests: sync, never waits (see above). `location` is
 * a file path or an http(s) URL (FEDERATION_REGISTRY).
 */
export function createRegistryReader(location: string, log: (line: string) => void = console.error): RegistryReader {
  return isRegistryUrl(location) ? urlReader(location, log) : fileReader(location, log);
}
