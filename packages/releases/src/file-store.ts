/**
 * The registry as a file: the demo's default, one machine, no service needed to move a pointer.
 *
 * Readers never lock: writes replace the file atomically (a temporary file beside it, fsync,
 * rename), so a reader sees the old registry or the new one, never half of one. Writers
 * (shop's start-up, the CLI, the inbox, the guard: several processes) take a lock file beside the
 * registry, created with O_EXCL, around their read-modify-write, so two changes at once both land.
 * A lock left by a writer that died (its process is gone, or it is older than any write takes) is
 * broken by the next writer.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseRegistry, RegistryError, serializeRegistry, type Change, type Registry } from './model.ts';

/** A lock older than this is a dead writer's: a read-modify-write of a small file takes milliseconds. */
export const LOCK_STALE_MS = 10_000;
/** How long a writer waits for the lock before it gives up (longer than a stale lock lives). */
export const LOCK_TIMEOUT_MS = 15_000;

/** The registry in `file`; an empty one when the file does not exist yet. */
export function readRegistry(file: string): Registry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new RegistryError(`release registry ${file} cannot be read: ${(error as Error).message}`);
  }
  return parseRegistry(text, file);
}

/** Replaces `file` with `registry` atomically: temporary file, fsync, rename. */
export function writeRegistryFile(file: string, registry: Registry): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, serializeRegistry(registry));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

const HOST = hostname();

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The lock's holder as written in it (`<pid>@<host> <token>`), for staleness and messages. */
function holderOf(lock: string): { pid: number; host: string; ino: bigint; ageMs: number } | null {
  try {
    const stat = statSync(lock, { bigint: true });
    const [who = ''] = readFileSync(lock, 'utf8').split(' ');
    const [pid = '', host = ''] = who.split('@');
    return { pid: Number(pid), host, ino: stat.ino, ageMs: Date.now() - Number(stat.mtimeMs) };
  } catch {
    return null; // gone (released meanwhile) or half-written: try again
  }
}

/**
 * Breaks a dead writer's lock: renames it aside, and removes it only if what was renamed is the
 * file judged stale (another writer may have broken it and taken a new lock in between; that
 * one is put back).
 */
function breakStaleLock(lock: string, stale: bigint): void {
  const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else broke it first
  }
  try {
    if (statSync(aside, { bigint: true }).ino !== stale) linkSync(aside, lock);
  } catch {
    // A third writer holds a new lock already: ours was the stale one's successor, and it lost it.
  }
  unlinkSync(aside);
}

/** One attempt at the lock: the token to release it with, or null while someone else holds it. */
function tryLock(lock: string): string | null {
  const token = `${process.pid}@${HOST} ${randomBytes(8).toString('hex')}`;
  try {
    const fd = openSync(lock, 'wx');
    try {
      writeSync(fd, token);
    } finally {
      closeSync(fd);
    }
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = holderOf(lock);
  if (holder && (holder.ageMs > LOCK_STALE_MS || (holder.host === HOST && holder.pid > 0 && processIsGone(holder.pid)))) {
    breakStaleLock(lock, holder.ino);
  }
  return null;
}

function unlock(lock: string, token: string): void {
  try {
    // Only our own lock: if ours was judged stale and broken, the lock there is someone else's.
    if (readFileSync(lock, 'utf8') === token) unlinkSync(lock);
  } catch {
    // Already gone.
  }
}

function lockTimeout(file: string, lock: string): RegistryError {
  const holder = holderOf(lock);
  return new RegistryError(
    `release registry ${file}: the lock ${lock} was not released within ${LOCK_TIMEOUT_MS / 1000} s` +
      (holder ? ` (held by pid ${holder.pid} on ${holder.host})` : '') +
      '; remove it if no writer is running',
  );
}

type Attempt<T> = { readonly done: true; readonly result: T } | { readonly done: false };

/**
 * One try at running `work` under the lock: done, or not yet (someone else holds the lock) and
 * the caller waits a little, or an error once the lock has been held too long.
 */
function attemptLocked<T>(file: string, deadline: number, work: () => T): Attempt<T> {
  const lock = `${file}.lock`;
  const token = tryLock(lock);
  if (!token) {
    if (Date.now() > deadline) throw lockTimeout(file, lock);
    return { done: false };
  }
  try {
    return { done: true, result: work() };
  } finally {
    unlock(lock, token);
  }
}

/** A short random pause between tries, so writers that met do not meet again in step. */
const pauseMs = () => 2 + Math.random() * 8;

/**
 * Runs `work` holding the registry file's lock, the one every writer takes: for a writer that
 * replaces the file's bytes whatever they hold (the inbox's PUT of a whole registry, which must
 * be able to replace a malformed file), where `updateRegistryFile` would first have to parse it.
 */
export async function withRegistryFileLock<T>(file: string, work: () => T): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (let attempt = attemptLocked(file, deadline, work); ; attempt = attemptLocked(file, deadline, work)) {
    if (attempt.done) return attempt.result;
    await sleep(pauseMs());
  }
}

/** Atomic read-modify-write of the registry in `file`, safe against other processes writing it. */
export function updateRegistryFile<T>(file: string, change: (registry: Registry) => Change<T>): Promise<T> {
  return withRegistryFileLock(file, () => {
    const before = readRegistry(file);
    const { registry, result } = change(before);
    if (registry !== before) writeRegistryFile(file, registry);
    return result;
  });
}
