/**
 * The durable event store: an embedded SQLite database, `<dataDir>/inbox.sqlite`
 * (better-sqlite3), plus an index of the parsed events in memory, loaded on open, that serves
 * every read (searches run in JavaScript over it; a local inbox holds thousands of events, not
 * millions).
 *
 * Durability: the database runs in WAL mode with `synchronous=FULL`, so a committed transaction
 * is fsynced to the WAL before `append` resolves; an acknowledged event survives the process
 * being killed at any moment, and SQLite replays the WAL on the next open. A request's events
 * are inserted in one transaction: all or none.
 *
 * Group commit: better-sqlite3 is synchronous, so appends are queued and the queue is written in
 * one transaction (one fsync) per turn of the event loop. Under concurrent ingest that turns N
 * fsyncs into one, and a request still gets its answer only after its own events are on disk.
 *
 * One process per data directory: the database is opened with `locking_mode=EXCLUSIVE`, so a
 * second inbox on the same directory fails at start instead of serving a stale index.
 *
 * Sessions (release health) and spans live in the same database (sessions/store.ts,
 * spans/store.ts): a request's events, sessions and spans are written in one transaction, so a
 * 200 means all of them are on disk.
 *
 * Events carry their trace (`contexts.trace`) as two generated columns, `trace_id` and `span_id`,
 * indexed, so a trace's errors are found without reading every event. A database of an older
 * inbox gets them in place when opened (`ALTER TABLE ... ADD COLUMN` of a virtual column computes
 * nothing until read).
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type JsonObject, parseJsonObject } from './json.ts';
import { SESSIONS_SCHEMA, SessionStore, type SessionWrite } from './sessions/store.ts';
import { SPANS_SCHEMA, SpanStore, type StoredSpan } from './spans/store.ts';

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
  /** The event as stored: as sent, with its frames resolved where the inbox could (symbolicate/). */
  readonly event: JsonObject;
}

export const DATABASE_FILE = 'inbox.sqlite';

// 2: sessions and session_aggregates. 3: spans; events' trace_id and span_id.
const SCHEMA_VERSION = 3;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    seq          INTEGER PRIMARY KEY,  -- arrival order
    project_id   INTEGER NOT NULL,
    event_id     TEXT    NOT NULL,
    project_slug TEXT    NOT NULL,
    public_key   TEXT    NOT NULL,
    key_source   TEXT    NOT NULL,
    envelope_dsn TEXT,
    received     TEXT    NOT NULL,
    payload      TEXT    NOT NULL,     -- the event as sent (JSON)
    UNIQUE (project_id, event_id)
  ) STRICT;
${SESSIONS_SCHEMA}${SPANS_SCHEMA}`;

/**
 * A text field of `contexts.trace`, lower-cased, else NULL: an event's payload is whatever its
 * sender wrote, and a generated column must never fail to compute (an unreadable payload of an
 * old database, a number where an id belongs).
 */
function traceField(field: string): string {
  const path = `'$.contexts.trace.${field}'`;
  return `CASE WHEN json_valid(payload) AND json_type(payload, ${path}) = 'text' THEN lower(json_extract(payload, ${path})) END`;
}

const EVENT_TRACE_COLUMNS: readonly [string, string][] = [
  ['trace_id', traceField('trace_id')],
  ['span_id', traceField('span_id')],
];

/** Adds the events' trace columns and their index where missing (databases of schema 1 and 2). */
function migrateEvents(db: Database.Database): void {
  const columns = new Set((db.pragma('table_xinfo(events)') as { name: string }[]).map((column) => column.name));
  for (const [name, expression] of EVENT_TRACE_COLUMNS) {
    if (!columns.has(name)) db.exec(`ALTER TABLE events ADD COLUMN ${name} TEXT GENERATED ALWAYS AS (${expression}) VIRTUAL`);
  }
  db.exec('CREATE INDEX IF NOT EXISTS events_by_trace ON events (trace_id)');
}

interface EventRow {
  readonly project_id: number;
  readonly event_id: string;
  readonly project_slug: string;
  readonly public_key: string;
  readonly key_source: string;
  readonly envelope_dsn: string | null;
  readonly received: string;
  readonly payload: string;
}

const KEY_SOURCES: readonly string[] = ['query', 'header', 'envelope'] satisfies KeySource[];

function isKeySource(value: unknown): value is KeySource {
  return typeof value === 'string' && KEY_SOURCES.includes(value);
}

function fromRow(row: EventRow): StoredEvent | undefined {
  const event = parseJsonObject(row.payload);
  if (!event || !isKeySource(row.key_source)) return undefined;
  return {
    projectId: row.project_id,
    projectSlug: row.project_slug,
    eventId: row.event_id,
    publicKey: row.public_key,
    keySource: row.key_source,
    envelopeDsn: row.envelope_dsn,
    received: row.received,
    event,
  };
}

function indexKey(projectId: number, eventId: string): string {
  return `${projectId}/${eventId}`;
}

/** Called, in commit order, for every event newly stored, right after its transaction commits. */
export type StoredListener = (record: StoredEvent) => void;

interface PendingAppend {
  readonly records: readonly StoredEvent[];
  /** Each record's payload as JSON, made before queuing so one bad record fails only its own append. */
  readonly payloads: readonly string[];
  readonly sessions: SessionWrite | undefined;
  readonly spans: readonly StoredSpan[];
  readonly resolve: (stored: StoredEvent[]) => void;
  readonly reject: (error: unknown) => void;
}

export class EventStore {
  /** Problems found while opening (skipped records), for the caller to report. */
  readonly warnings: readonly string[];
  /** The sessions (release health), read here; written through `append`. */
  readonly sessions: SessionStore;
  /** The spans (traces), read here; written through `append`. */
  readonly spans: SpanStore;
  private readonly byProject = new Map<number, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly listeners: StoredListener[] = [];
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly insert: Database.Statement;
  private readonly eventsByTrace: Database.Statement;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    warnings: string[],
  ) {
    this.warnings = warnings;
    this.sessions = new SessionStore(db);
    this.spans = new SpanStore(db, isKeySource);
    this.eventsByTrace = db.prepare('SELECT project_id, event_id FROM events WHERE trace_id = ? ORDER BY seq');
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO events
         (project_id, event_id, project_slug, public_key, key_source, envelope_dsn, received, payload)
       VALUES (@projectId, @eventId, @projectSlug, @publicKey, @keySource, @envelopeDsn, @received, @payload)`,
    );
    const rows = db.prepare('SELECT * FROM events ORDER BY seq').all() as EventRow[];
    for (const row of rows) {
      const record = fromRow(row);
      if (record) this.index(record);
      else warnings.push(`skipped event ${row.event_id} of project ${row.project_id}: not readable`);
    }
  }

  /** Opens (creating if needed) the store in `dataDir` and loads the events already there. */
  static async open(dataDir: string): Promise<EventStore> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, DATABASE_FILE);
    // A second of patience for the lock: enough for a restarting `tsx watch` to let go.
    const db = new Database(file, { timeout: 1000 });
    const warnings: string[] = [];
    try {
      // EXCLUSIVE before WAL: no shared-memory index is created and no other process may open it.
      db.pragma('locking_mode = EXCLUSIVE');
      try {
        db.pragma('journal_mode = WAL');
      } catch (error) {
        if (error instanceof Error && /locked|busy/i.test(error.message)) {
          throw new Error(`${file} is in use by another process (another inbox on the same INBOX_DATA_DIR?)`);
        }
        throw error;
      }
      // FULL: the WAL is fsynced at every commit, so a commit is on disk when it returns.
      db.pragma('synchronous = FULL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`${file} has schema version ${version}; this inbox knows ${SCHEMA_VERSION}. Update the inbox.`);
      }
      db.transaction(() => {
        db.exec(SCHEMA);
        migrateEvents(db);
      })();
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return new EventStore(file, db, warnings);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Registers a listener for newly stored events. */
  onStored(listener: StoredListener): void {
    this.listeners.push(listener);
  }

  /**
   * Durably stores the records not already stored (same project and event id), in order.
   * Resolves with those it stored once they are on disk; rejects (storing none) on failure.
   * `texts`, when given, are the events' JSON as received, stored as they are (else each event is
   * serialised again); they are not kept in memory. `sessions`, the request's session updates and
   * aggregates, and `spans` are written in the same transaction.
   */
  append(
    records: readonly StoredEvent[],
    texts?: readonly string[],
    sessions?: SessionWrite,
    spans: readonly StoredSpan[] = [],
  ): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    let payloads: string[];
    try {
      payloads = records.map((record, i) => texts?.[i] ?? JSON.stringify(record.event));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ records, payloads, sessions, spans, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes every queued append in one transaction (one fsync), then answers each. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let stored: StoredEvent[][];
    try {
      stored = this.db.transaction(() =>
        batch.map(({ records, payloads, sessions, spans }) => {
          if (sessions) this.sessions.write(sessions);
          this.spans.write(spans);
          return records.filter(
            (record, i) =>
              this.insert.run({
                projectId: record.projectId,
                eventId: record.eventId,
                projectSlug: record.projectSlug,
                publicKey: record.publicKey,
                keySource: record.keySource,
                envelopeDsn: record.envelopeDsn,
                received: record.received,
                payload: payloads[i] ?? '{}',
              }).changes === 1,
          );
        }),
      )();
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve }, i) => {
      const fresh = stored[i] ?? [];
      for (const record of fresh) {
        this.index(record);
        for (const listener of this.listeners) {
          try {
            listener(record);
          } catch (error) {
            console.error('inbox: a listener of stored events failed', error);
          }
        }
      }
      resolve(fresh);
    });
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

  /** The events whose `contexts.trace.trace_id` is `traceId` (lower-case), all projects, in arrival order. */
  eventsOfTrace(traceId: string): StoredEvent[] {
    const rows = this.eventsByTrace.all(traceId) as { project_id: number; event_id: string }[];
    return rows.flatMap((row) => this.get(row.project_id, row.event_id) ?? []);
  }

  /** The durability settings in force (for tests and diagnostics). */
  settings(): { readonly journalMode: string; readonly synchronous: number; readonly lockingMode: string } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      // 2 is FULL.
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      lockingMode: String(this.db.pragma('locking_mode', { simple: true })),
    };
  }

  /** How many events the database holds (all projects). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  /** Writes what is queued, then closes the database (checkpointing the WAL into it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.flush();
    this.db.close();
  }
}
