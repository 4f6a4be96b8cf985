/**
 * The durable event store: one JSON line per event in `<dataDir>/events.jsonl`, plus an index in
 * memory rebuilt from that file on open.
 *
 * Durability: `append` resolves only after the lines are written and the file is fsynced (and the
 * directory was fsynced when the file was created), so an acknowledged event survives the process
 * being killed at any moment. Writes go through one promise chain, one at a time, so concurrent
 * requests never interleave bytes; a failed write is truncated away so the file stays whole. A
 * torn last line (a write that never completed, hence never acknowledged) is dropped on open.
 */

import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { type JsonObject, asNumber, asString, isObject, parseJsonObject } from './json.ts';

/** Where the request's client key came from. */
export type KeySource = 'query' | 'header' | 'envelope';

export interface StoredEvent {
  readonly projectId: number;
  readonly projectSlug: string;
  readonly eventId: string;
  /** The public key the request carried. */
  readonly publicKey: string;
  readonly keySource: KeySource;
  /** The envelope header's `dsn`, or null when it had none (or the event came to the store endpoint). */
  readonly envelopeDsn: string | null;
  /** When the inbox received it (ISO). */
  readonly received: string;
  /** The event payload as sent. */
  readonly event: JsonObject;
}

export const EVENTS_FILE = 'events.jsonl';

const KEY_SOURCES: readonly string[] = ['query', 'header', 'envelope'] satisfies KeySource[];

function isKeySource(value: unknown): value is KeySource {
  return typeof value === 'string' && KEY_SOURCES.includes(value);
}

function readRecord(line: string): StoredEvent | undefined {
  const r = parseJsonObject(line);
  if (!r) return undefined;
  const projectId = asNumber(r.projectId);
  const projectSlug = asString(r.projectSlug);
  const eventId = asString(r.eventId);
  const publicKey = asString(r.publicKey);
  const received = asString(r.received);
  const envelopeDsn = r.envelopeDsn === null ? null : asString(r.envelopeDsn);
  if (
    projectId === undefined ||
    projectSlug === undefined ||
    eventId === undefined ||
    publicKey === undefined ||
    received === undefined ||
    envelopeDsn === undefined ||
    !isKeySource(r.keySource) ||
    !isObject(r.event)
  ) {
    return undefined;
  }
  return { projectId, projectSlug, eventId, publicKey, keySource: r.keySource, envelopeDsn, received, event: r.event };
}

function indexKey(projectId: number, eventId: string): string {
  return `${projectId}/${eventId}`;
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the file's directory entry durable. Not possible on every platform (Windows); the
  // data itself is still fsynced there.
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    await handle?.close();
  }
}

export class EventStore {
  /** Problems found while loading (skipped lines), for the caller to report. */
  readonly warnings: readonly string[];
  private readonly byProject = new Map<number, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private size: number,
    records: readonly StoredEvent[],
    warnings: readonly string[],
  ) {
    this.warnings = warnings;
    for (const record of records) this.index(record);
  }

  /** Opens (creating if needed) the store in `dataDir` and loads the events already there. */
  static async open(dataDir: string): Promise<EventStore> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, EVENTS_FILE);
    const warnings: string[] = [];
    const records: StoredEvent[] = [];

    let content: Buffer | undefined;
    try {
      content = await readFile(file);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
    if (content && content.length > 0) {
      const whole = content.lastIndexOf(0x0a) + 1;
      if (whole < content.length) {
        await truncate(file, whole);
        warnings.push(`dropped an incomplete last line of ${file} (a write that was never acknowledged)`);
        content = content.subarray(0, whole);
      }
      content
        .toString('utf8')
        .split('\n')
        .forEach((line, index) => {
          if (line.trim() === '') return;
          const record = readRecord(line);
          if (record) records.push(record);
          else warnings.push(`skipped line ${index + 1} of ${file}: not an inbox record`);
        });
    }

    const handle = await open(file, 'a');
    await syncDirectory(dataDir);
    const { size } = await stat(file);
    return new EventStore(file, handle, size, records, warnings);
  }

  /**
   * Durably appends the records not already stored (same project and event id), in order.
   * Resolves with those it stored once they are on disk; rejects (storing nothing) on failure.
   */
  append(records: readonly StoredEvent[]): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    const task = this.queue.then(() => this.write(records));
    this.queue = task.catch(() => undefined);
    return task;
  }

  private async write(records: readonly StoredEvent[]): Promise<StoredEvent[]> {
    const fresh: StoredEvent[] = [];
    const keys = new Set<string>();
    for (const record of records) {
      const key = indexKey(record.projectId, record.eventId);
      if (this.byId.has(key) || keys.has(key)) continue;
      keys.add(key);
      fresh.push(record);
    }
    if (fresh.length === 0) return fresh;

    const data = Buffer.from(fresh.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
    try {
      await this.handle.appendFile(data);
      await this.handle.sync();
    } catch (error) {
      // Leave the file as it was, so no half-written line precedes the next write.
      await this.handle.truncate(this.size).catch(() => undefined);
      throw error;
    }
    this.size += data.length;
    for (const record of fresh) this.index(record);
    return fresh;
  }

  private index(record: StoredEvent): void {
    const key = indexKey(record.projectId, record.eventId);
    if (this.byId.has(key)) return;
    this.byId.set(key, record);
    let list = this.byProject.get(record.projectId);
    if (!list) this.byProject.set(record.projectId, (list = []));
    list.push(record);
  }

  /** A project's events in the order they arrived (oldest first). */
  events(projectId: number): readonly StoredEvent[] {
    return this.byProject.get(projectId) ?? [];
  }

  get(projectId: number, eventId: string): StoredEvent | undefined {
    return this.byId.get(indexKey(projectId, eventId));
  }

  /** Waits for pending writes, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.handle.close();
  }
}
