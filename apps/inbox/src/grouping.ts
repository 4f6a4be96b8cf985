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
  releaseOf,
  tagMap,
  topFrame,
  userKey,
} from './event.ts';
import { type JsonObject, asArray, asString } from './json.ts';
import { isNewerRelease } from './releases.ts';
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
  /** The releases its events came from, in order of first appearance. */
  readonly releases: readonly string[];
  /** The zones (the `zone` tag) its events came from, in order of first appearance. */
  readonly zones: readonly string[];
  /** The latest event of the issue (among those counted). */
  readonly latest: StoredEvent;
  readonly title: string;
  readonly culprit: string;
  readonly level: string;
  readonly type: string;
}

/** One issue's figures, built up event by event (in arrival order). */
class Tally {
  count = 0;
  readonly users = new Set<string>();
  readonly releases = new Set<string>();
  readonly zones = new Set<string>();
  firstSeen = '';
  lastSeen = '';
  latest: StoredEvent | undefined;
  /** Arrival position of the latest event, to order issues by latest activity. */
  latestIndex = -1;

  constructor(
    readonly id: string,
    readonly number: number,
  ) {}

  add(record: StoredEvent, index: number): void {
    const event = record.event;
    const created = dateCreated(record);
    this.count += 1;
    const user = userKey(event);
    if (user !== undefined) this.users.add(user);
    const release = releaseOf(event);
    if (release !== undefined) this.releases.add(release);
    const zone = tagMap(event).get('zone');
    if (zone !== undefined && zone !== '') this.zones.add(zone);
    if (this.firstSeen === '' || created < this.firstSeen) this.firstSeen = created;
    if (created > this.lastSeen) this.lastSeen = created;
    this.latest = record;
    this.latestIndex = index;
  }

  issue(): Issue | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    return {
      id: this.id,
      number: this.number,
      count: this.count,
      userCount: this.users.size,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      releases: [...this.releases],
      zones: [...this.zones],
      latest,
      title: eventTitle(latest.event),
      culprit: eventCulprit(latest.event),
      level: eventLevel(latest.event),
      type: eventType(latest.event),
    };
  }
}

function newestFirst(tallies: Iterable<Tally>): Issue[] {
  return [...tallies]
    .filter((tally) => tally.latest !== undefined)
    .sort((a, b) => b.latestIndex - a.latestIndex)
    .flatMap((tally) => tally.issue() ?? []);
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
    if (!tally) tallies.set(id, (tally = new Tally(id, tallies.size + 1)));
    if (counted(record)) tally.add(record, index);
  });
  return newestFirst(tallies.values());
}

/** What an event did to its issue: opened it, brought it back in a newer release, or neither. */
export type IssueChange = 'new' | 'regression' | undefined;

/**
 * Every project's issues over all events, kept up to date event by event: what the live stream,
 * the UI and the alerts read. Fed every stored event once, in arrival order.
 */
export class IssueIndex {
  private readonly projects = new Map<number, { readonly tallies: Map<string, Tally>; seen: number }>();

  /** Adds an event; says whether it opened its issue or is a regression (see releases.ts). */
  observe(record: StoredEvent): { readonly issue: Issue; readonly change: IssueChange } {
    let project = this.projects.get(record.projectId);
    if (!project) this.projects.set(record.projectId, (project = { tallies: new Map(), seen: 0 }));
    const id = groupIdOf(record);
    let tally = project.tallies.get(id);
    let change: IssueChange;
    if (!tally) {
      project.tallies.set(id, (tally = new Tally(id, project.tallies.size + 1)));
      change = 'new';
    } else {
      const release = releaseOf(record.event);
      if (release !== undefined && tally.releases.size > 0 && isNewerRelease(release, tally.releases)) {
        change = 'regression';
      }
    }
    tally.add(record, project.seen);
    project.seen += 1;
    const issue = tally.issue();
    if (!issue) throw new Error('an issue without events');
    return { issue, change };
  }

  /** A project's issues, latest activity first. */
  issues(projectId: number): Issue[] {
    return newestFirst(this.projects.get(projectId)?.tallies.values() ?? []);
  }

  issue(projectId: number, issueId: string): Issue | undefined {
    return this.projects.get(projectId)?.tallies.get(issueId)?.issue();
  }
}
