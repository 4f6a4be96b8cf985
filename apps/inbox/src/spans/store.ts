/**
 * Spans in the inbox's SQLite database, beside the events (store.ts opens it and writes a
 * request's events, sessions and spans in one transaction). One row per (project, span id): a
 * span sent twice to a project is stored once; the same span in two projects is two rows, which
 * is what a test of "delivered once, to its owner" looks for.
 *
 * Reads go to the database (by trace id, indexed), not to memory: a page view makes dozens of
 * spans, and only a trace's page or API asks for them.
 */

import type Database from 'better-sqlite3';
import { type JsonObject, parseJsonObject } from '../json.ts';
import type { KeySource } from '../store.ts';
import type { IncomingSpan } from './protocol.ts';

export const SPANS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS spans (
    seq            INTEGER PRIMARY KEY,  -- arrival order
    project_id     INTEGER NOT NULL,
    trace_id       TEXT    NOT NULL,
    span_id        TEXT    NOT NULL,
    parent_span_id TEXT,
    segment_id     TEXT,
    is_segment     INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    op             TEXT,
    start_ts       REAL    NOT NULL,     -- seconds since the epoch, as sent
    end_ts         REAL    NOT NULL,
    status         TEXT,
    owner          TEXT    NOT NULL,     -- the owner attribute, else the project's owner
    release        TEXT,                 -- the release attribute, else sentry.release
    public_key     TEXT    NOT NULL,
    key_source     TEXT    NOT NULL,
    received       TEXT    NOT NULL,
    payload        TEXT    NOT NULL,     -- the span in span v2's shape (JSON)
    UNIQUE (project_id, span_id)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS spans_by_trace ON spans (trace_id);
`;

/** A span as stored: what was sent, where it was delivered, and with which key. */
export interface StoredSpan extends Omit<IncomingSpan, 'owner'> {
  readonly projectId: number;
  readonly owner: string;
  readonly publicKey: string;
  readonly keySource: KeySource;
  /** When the inbox received it (ISO). */
  readonly received: string;
}

interface SpanRow {
  readonly project_id: number;
  readonly trace_id: string;
  readonly span_id: string;
  readonly parent_span_id: string | null;
  readonly segment_id: string | null;
  readonly is_segment: number;
  readonly name: string;
  readonly op: string | null;
  readonly start_ts: number;
  readonly end_ts: number;
  readonly status: string | null;
  readonly owner: string;
  readonly release: string | null;
  readonly public_key: string;
  readonly key_source: string;
  readonly received: string;
  readonly payload: string;
}

function fromRow(row: SpanRow, isKeySource: (value: unknown) => value is KeySource): StoredSpan | undefined {
  const payload: JsonObject | undefined = parseJsonObject(row.payload);
  if (!payload || !isKeySource(row.key_source)) return undefined;
  return {
    projectId: row.project_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    segmentId: row.segment_id,
    isSegment: row.is_segment === 1,
    name: row.name,
    op: row.op,
    start: row.start_ts,
    end: row.end_ts,
    status: row.status,
    owner: row.owner,
    release: row.release,
    publicKey: row.public_key,
    keySource: row.key_source,
    received: row.received,
    payload,
  };
}

export class SpanStore {
  private readonly insert: Database.Statement;
  private readonly byTrace: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly isKeySource: (value: unknown) => value is KeySource,
  ) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO spans
         (project_id, trace_id, span_id, parent_span_id, segment_id, is_segment, name, op, start_ts, end_ts,
          status, owner, release, public_key, key_source, received, payload)
       VALUES (@projectId, @traceId, @spanId, @parentSpanId, @segmentId, @isSegment, @name, @op, @start, @end,
          @status, @owner, @release, @publicKey, @keySource, @received, @payload)`,
    );
    this.byTrace = db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ts, seq');
  }

  /** Inserts the spans not already stored; call inside the store's transaction. */
  write(spans: readonly StoredSpan[]): void {
    for (const span of spans) {
      this.insert.run({
        projectId: span.projectId,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        segmentId: span.segmentId,
        isSegment: span.isSegment ? 1 : 0,
        name: span.name,
        op: span.op,
        start: span.start,
        end: span.end,
        status: span.status,
        owner: span.owner,
        release: span.release,
        publicKey: span.publicKey,
        keySource: span.keySource,
        received: span.received,
        payload: JSON.stringify(span.payload),
      });
    }
  }

  /** Every span of a trace, all projects, earliest start first. */
  ofTrace(traceId: string): StoredSpan[] {
    return (this.byTrace.all(traceId) as SpanRow[]).flatMap((row) => fromRow(row, this.isKeySource) ?? []);
  }

  /** How many spans the database holds (all projects). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM spans').get() as { n: number }).n;
  }
}
