/**
 * Grouping events into issues, the way Sentry's default grouping roughly does:
 * - the event's `fingerprint` when it has one (`{{ default }}` in it stands for the default key);
 * - else, for an error, the main exception's type, its value with ids normalised, and the top
 *   frame's `filename:function` (the last in-app frame, else the last frame);
 * - else its message with ids normalised; else its title.
 * Normalising replaces UUIDs and hex ids (`0x...`, or 8+ hex digits with a digit) by `<hex>`, then
 * every run of digits by `<int>`, so `Order 1234 failed` and `Order 98 failed` are one issue.
 */

import { createHash } from 'node:crypto';
import {
  dateCreated,
  eventCulprit,
  eventLevel,
  eventTitle,
  eventType,
  logMessage,
  mainException,
  topFrame,
  userKey,
} from './event.ts';
import { type JsonObject, asArray, asString } from './json.ts';
import type { StoredEvent } from './store.ts';

export function normalizeIds(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<hex>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/[0-9]+/g, '<int>');
}

function defaultKey(event: JsonObject): string[] {
  const exception = mainException(event);
  if (exception) {
    const frame = topFrame(exception);
    const where = frame
      ? `${normalizeIds(asString(frame.filename) ?? asString(frame.abs_path) ?? '?')}:${asString(frame.function) ?? '?'}`
      : '';
    return [
      'exception',
      asString(exception.type) ?? 'Error',
      normalizeIds(asString(exception.value) ?? ''),
      where,
    ];
  }
  const message = logMessage(event);
  if (message !== undefined) return ['message', normalizeIds(message)];
  return ['title', eventTitle(event)];
}

/** The parts an event is grouped by. */
export function groupingKey(event: JsonObject): string[] {
  const fingerprint = (asArray(event.fingerprint) ?? []).filter(
    (part): part is string | number => typeof part === 'string' || typeof part === 'number',
  );
  if (fingerprint.length === 0) return defaultKey(event);
  return [
    'fingerprint',
    ...fingerprint.flatMap((part) =>
      typeof part === 'string' && /^\{\{\s*default\s*\}\}$/.test(part) ? defaultKey(event) : [String(part)],
    ),
  ];
}

const groupIds = new WeakMap<StoredEvent, string>();

/** The issue (group) id of an event: a number, as a string, stable for a project and key. */
export function groupIdOf(record: StoredEvent): string {
  let id = groupIds.get(record);
  if (id === undefined) {
    const hash = createHash('sha1')
      .update([String(record.projectId), ...groupingKey(record.event)].join('\0'))
      .digest('hex');
    id = String(parseInt(hash.slice(0, 13), 16));
    groupIds.set(record, id);
  }
  return id;
}

const SHORT_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Sentry's short id: the project slug upper-cased and the issue's number in the project, base 32. */
export function shortId(projectSlug: string, number: number): string {
  let digits = '';
  for (let n = number; n > 0; n = Math.floor(n / 32)) digits = SHORT_ID_ALPHABET[n % 32] + digits;
  return `${projectSlug.toUpperCase()}-${digits || '0'}`;
}

export interface Issue {
  readonly id: string;
  /** Its number in the project, in order of first appearance (1 for the first issue). */
  readonly number: number;
  readonly count: number;
  readonly userCount: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The latest event of the issue (among those counted). */
  readonly latest: StoredEvent;
  readonly title: string;
  readonly culprit: string;
  readonly level: string;
  readonly type: string;
}

interface Tally {
  readonly id: string;
  readonly number: number;
  count: number;
  users: Set<string>;
  firstSeen: string;
  lastSeen: string;
  latest: StoredEvent | undefined;
  latestIndex: number;
}

/**
 * A project's issues from its events (in arrival order), counting only the events `counted`
 * accepts; newest first by the arrival of their latest counted event. Numbers follow the first
 * appearance among all events, so a filter does not renumber issues.
 */
export function issuesOf(events: readonly StoredEvent[], counted: (record: StoredEvent) => boolean): Issue[] {
  const tallies = new Map<string, Tally>();
  events.forEach((record, index) => {
    const id = groupIdOf(record);
    let tally = tallies.get(id);
    if (!tally) {
      tally = { id, number: tallies.size + 1, count: 0, users: new Set(), firstSeen: '', lastSeen: '', latest: undefined, latestIndex: -1 };
      tallies.set(id, tally);
    }
    if (!counted(record)) return;
    const created = dateCreated(record);
    tally.count += 1;
    const user = userKey(record.event);
    if (user !== undefined) tally.users.add(user);
    if (tally.firstSeen === '' || created < tally.firstSeen) tally.firstSeen = created;
    if (created > tally.lastSeen) tally.lastSeen = created;
    tally.latest = record;
    tally.latestIndex = index;
  });
  const issues: (Issue & { latestIndex: number })[] = [];
  for (const tally of tallies.values()) {
    const latest = tally.latest;
    if (!latest) continue;
    issues.push({
      id: tally.id,
      number: tally.number,
      count: tally.count,
      userCount: tally.users.size,
      firstSeen: tally.firstSeen,
      lastSeen: tally.lastSeen,
      latest,
      latestIndex: tally.latestIndex,
      title: eventTitle(latest.event),
      culprit: eventCulprit(latest.event),
      level: eventLevel(latest.event),
      type: eventType(latest.event),
    });
  }
  return issues.sort((a, b) => b.latestIndex - a.latestIndex);
}
