/**
 * Sentry's release-health items, as Relay reads them: `session` (one update of one session) and
 * `sessions` (pre-aggregated counts). Validated before anything of the request is stored; a
 * malformed item throws an IngestFormatError naming the item and the field (the server answers
 * 400), too many throw a PayloadTooLargeError (413).
 *
 * Read as Relay does (relay-event-schema's session.rs): `started` and `attrs.release` are
 * required; `sid` defaults to a fresh id, `timestamp` to now, `status` to `ok`, `errors` to 0,
 * `init` to false; a `timestamp` before `started` is taken as `started`. Stricter than Relay,
 * which drops a bad item silently: an unknown status, a release Sentry would refuse (empty, over
 * 200 characters, `.`, `..`, `latest`, or with `/`, `\` or a line break) or a wrongly typed field
 * refuses the request, so a sender's mistake is seen at once. Not done: Relay's clock-drift
 * correction and its age limits (sessions older than 5 days, or in the future).
 */

import { randomUUID } from 'node:crypto';
import { type Envelope, IngestFormatError, PayloadTooLargeError, normalizeEventId } from '../envelope.ts';
import { type JsonObject, asObject, parseJsonObject, toIsoTimestamp } from '../json.ts';

/** What a session update may say, worst last: the order in which a session's status is kept. */
export const SESSION_STATUSES = ['ok', 'exited', 'errored', 'unhandled', 'abnormal', 'crashed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** One update of one session, as stored. Times are epoch milliseconds. */
export interface SessionUpdate {
  /** 32 lower-case hex digits. */
  readonly sid: string;
  readonly did: string | null;
  /** The session's first transmission: only then does it count. */
  readonly init: boolean;
  readonly started: number;
  readonly timestamp: number;
  readonly status: SessionStatus;
  readonly errors: number;
  readonly release: string;
  readonly environment: string | null;
}

/** One bucket of a `sessions` item: counts of sessions that started at `started`, by outcome. */
export interface SessionAggregate {
  readonly started: number;
  readonly did: string | null;
  readonly exited: number;
  /** Errored, neither abnormal nor crashed (Relay's meaning). */
  readonly errored: number;
  readonly unhandled: number;
  readonly abnormal: number;
  readonly crashed: number;
  readonly release: string;
  readonly environment: string | null;
}

export interface EnvelopeSessions {
  readonly updates: readonly SessionUpdate[];
  readonly aggregates: readonly SessionAggregate[];
  /** How many session items the envelope held (what the rate limit counts). */
  readonly items: number;
}

export const NO_SESSIONS: EnvelopeSessions = { updates: [], aggregates: [], items: 0 };

/** Sentry's limits: 100 sessions per envelope, 100 buckets per `sessions` item. */
export const MAX_SESSION_ITEMS = 100;
export const MAX_AGGREGATE_BUCKETS = 100;

const MAX_RELEASE_LENGTH = 200;
const MAX_ENVIRONMENT_LENGTH = 64;
const MAX_DID_LENGTH = 256;

function fail(what: string, reason: string): never {
  throw new IngestFormatError(`${what} ${reason}`);
}

function timeOf(value: unknown, what: string, field: string): number {
  const iso = toIsoTimestamp(value);
  if (iso === undefined) fail(what, `has an invalid "${field}" (give an RFC 3339 time such as 2026-12-01T00:00:00Z)`);
  return Date.parse(iso);
}

function optionalTime(value: unknown, what: string, field: string, fallback: number): number {
  return value === undefined || value === null ? fallback : timeOf(value, what, field);
}

function count(value: unknown, what: string, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(what, `has an invalid "${field}" (a count: an integer from 0)`);
  }
  return value;
}

function optionalString(value: unknown, what: string, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(what, `has a "${field}" that is not a string`);
  if (value.length > maxLength) fail(what, `has a "${field}" longer than ${maxLength} characters`);
  return value === '' ? null : value;
}

/** Sentry refuses these releases (relay-event-normalization's validate_release). */
function checkRelease(release: string, what: string): void {
  if (release.length > MAX_RELEASE_LENGTH) fail(what, `has an "attrs.release" longer than ${MAX_RELEASE_LENGTH} characters`);
  if (release === '.' || release === '..' || release.toLowerCase() === 'latest') {
    fail(what, `has the release ${JSON.stringify(release)}, a name Sentry reserves`);
  }
  if (/[/\\\r\n\t\f\v]/.test(release)) fail(what, 'has an "attrs.release" with a slash, a backslash or a line break');
}

function attributes(payload: JsonObject, what: string): { release: string; environment: string | null } {
  const attrs = asObject(payload.attrs);
  if (!attrs) fail(what, 'has no "attrs" object (it must hold "release")');
  const release = attrs.release;
  if (typeof release !== 'string' || release === '') fail(what, 'has no "attrs.release": a session belongs to a release');
  checkRelease(release, what);
  const environment = optionalString(attrs.environment, what, 'attrs.environment', MAX_ENVIRONMENT_LENGTH);
  if (environment !== null && /[/\r\n\t\f\v]/.test(environment)) {
    fail(what, 'has an "attrs.environment" with a slash or a line break');
  }
  return { release, environment };
}

function isStatus(value: unknown): value is SessionStatus {
  return typeof value === 'string' && (SESSION_STATUSES as readonly string[]).includes(value);
}

function payloadOf(text: string, what: string): JsonObject {
  const payload = parseJsonObject(text);
  if (!payload) fail(what, 'is not a JSON object');
  return payload;
}

/** A `session` item's payload; throws IngestFormatError when malformed. */
export function parseSessionUpdate(text: string, what: string, now: number = Date.now()): SessionUpdate {
  const payload = payloadOf(text, what);
  let sid: string;
  if (payload.sid === undefined || payload.sid === null) sid = randomUUID().replaceAll('-', '');
  else {
    const normalized = typeof payload.sid === 'string' ? normalizeEventId(payload.sid) : undefined;
    if (normalized === undefined) fail(what, 'has an invalid "sid" (a UUID, with or without dashes)');
    sid = normalized;
  }
  if (payload.init !== undefined && payload.init !== null && typeof payload.init !== 'boolean') {
    fail(what, 'has an "init" that is not a boolean');
  }
  if (payload.seq !== undefined && payload.seq !== null) count(payload.seq, what, 'seq');
  if (payload.duration !== undefined && payload.duration !== null) {
    if (typeof payload.duration !== 'number' || !Number.isFinite(payload.duration) || payload.duration < 0) {
      fail(what, 'has an invalid "duration" (seconds, a number from 0)');
    }
  }
  if (payload.started === undefined || payload.started === null) fail(what, 'has no "started" (when the session began)');
  const started = timeOf(payload.started, what, 'started');
  const timestamp = Math.max(started, optionalTime(payload.timestamp, what, 'timestamp', now));
  const status = payload.status ?? 'ok';
  if (!isStatus(status)) {
    fail(what, `has the status ${JSON.stringify(status)}; a session's status is one of ${SESSION_STATUSES.join(', ')}`);
  }
  return {
    sid,
    did: optionalString(payload.did, what, 'did', MAX_DID_LENGTH),
    init: payload.init === true,
    started,
    timestamp,
    status,
    errors: count(payload.errors, what, 'errors'),
    ...attributes(payload, what),
  };
}

/** A `sessions` item's payload: its buckets, each carrying the item's attributes. */
export function parseSessionAggregates(text: string, what: string): SessionAggregate[] {
  const payload = payloadOf(text, what);
  const attrs = attributes(payload, what);
  const raw = payload.aggregates ?? [];
  if (!Array.isArray(raw)) fail(what, 'has an "aggregates" that is not an array');
  if (raw.length > MAX_AGGREGATE_BUCKETS) {
    throw new PayloadTooLargeError(`${what} has ${raw.length} buckets; the limit is ${MAX_AGGREGATE_BUCKETS}`);
  }
  return raw.map((entry: unknown, index) => {
    const bucket = asObject(entry);
    const where = `${what}, bucket ${index + 1},`;
    if (!bucket) fail(where, 'is not an object');
    if (bucket.started === undefined || bucket.started === null) fail(where, 'has no "started"');
    return {
      started: timeOf(bucket.started, where, 'started'),
      did: optionalString(bucket.did, where, 'did', MAX_DID_LENGTH),
      exited: count(bucket.exited, where, 'exited'),
      errored: count(bucket.errored, where, 'errored'),
      unhandled: count(bucket.unhandled, where, 'unhandled'),
      abnormal: count(bucket.abnormal, where, 'abnormal'),
      crashed: count(bucket.crashed, where, 'crashed'),
      ...attrs,
    };
  });
}

/** The session items of an envelope, validated; throws before anything is stored if one is malformed. */
export function envelopeSessions(envelope: Envelope, now: number = Date.now()): EnvelopeSessions {
  const updates: SessionUpdate[] = [];
  const aggregates: SessionAggregate[] = [];
  let items = 0;
  envelope.items.forEach((item, index) => {
    if (item.type !== 'session' && item.type !== 'sessions') return;
    items += 1;
    if (items > MAX_SESSION_ITEMS) {
      throw new PayloadTooLargeError(`the envelope has more than ${MAX_SESSION_ITEMS} session items`);
    }
    const what = `item ${index + 1} (${item.type})`;
    const text = item.payload.toString('utf8');
    if (item.type === 'session') updates.push(parseSessionUpdate(text, what, now));
    else aggregates.push(...parseSessionAggregates(text, what));
  });
  return items === 0 ? NO_SESSIONS : { updates, aggregates, items };
}
