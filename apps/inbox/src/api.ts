/**
 * The read API: the subset of Sentry's web API that tests and tools need, with Sentry's paths,
 * JSON field names and pagination.
 *
 *   GET /api/0/projects/<org>/<project>/events/              newest first (by arrival)
 *       ?query=<search> (see query.ts)  ?full=true (each event as the single-event endpoint)
 *       ?per_page=<1..100, default 100>  ?cursor=<0:offset:is_prev>
 *   GET /api/0/projects/<org>/<project>/events/<event_id>/   one event; 404 when unknown
 *   GET /api/0/projects/<org>/<project>/issues/              issues, latest activity first
 *       (same query, per_page and cursor parameters; counts only the events the query matches)
 *   GET /api/0/projects/<org>/<project>/keys/                the project's client key and DSN
 *   GET /api/0/projects/<org>/<project>/events/stream/       live, as server-sent events (stream.ts;
 *       routed by the server, which holds the connection open)
 *
 * Pagination is Sentry's offset pagination: a `Link` header with a `rel="previous"` and a
 * `rel="next"` entry, e.g.
 *   <http://localhost:9000/api/0/projects/local/shop/events/?per_page=2&cursor=0:2:0>;
 *   rel="next"; results="true"; cursor="0:2:0"
 * where the cursor is `<value>:<offset>:<is_prev>` (value is always 0 here) and `results` says
 * whether that page has anything.
 */

import { INBOX_ORG, localDsn } from '@repo/topology';
import {
  breadcrumbs,
  dateCreated,
  environmentOf,
  eventCulprit,
  eventMessage,
  eventPlatform,
  eventTags,
  eventTitle,
  eventType,
  exceptions,
  framesOf,
  logMessage,
  mainException,
  releaseOf,
} from './event.ts';
import { groupIdOf, issuesOf, shortId, type Issue } from './grouping.ts';
import { type JsonObject, asArray, asNumber, asObject, asString, isObject, toIsoTimestamp } from './json.ts';
import { type Project, projectBySlug } from './projects.ts';
import { QueryError, matchesQuery, parseQuery } from './query.ts';
import type { EventStore, StoredEvent } from './store.ts';
import { normalizeEventId } from './envelope.ts';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiContext {
  readonly store: EventStore;
  /** The origin the client reached us at, for absolute links (`http://localhost:9000`). */
  readonly origin: string;
  /** The port the inbox listens on, for DSNs. */
  readonly port: number;
}

function refuse(status: number, detail: string): ApiResponse {
  return { status, body: { detail } };
}

const MAX_PER_PAGE = 100;

/* ---------------------------------------------------------------- event shapes */

function orNull(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** A frame in the API's camelCase shape, with `context` as `[lineNo, line]` pairs. */
function frameView(frame: JsonObject): JsonObject {
  const lineNo = asNumber(frame.lineno);
  const context: [number, string][] = [];
  if (lineNo !== undefined) {
    const pre = (asArray(frame.pre_context) ?? []).filter((l): l is string => typeof l === 'string');
    const post = (asArray(frame.post_context) ?? []).filter((l): l is string => typeof l === 'string');
    pre.forEach((line, i) => context.push([lineNo - pre.length + i, line]));
    if (typeof frame.context_line === 'string') context.push([lineNo, frame.context_line]);
    post.forEach((line, i) => context.push([lineNo + 1 + i, line]));
  }
  return {
    filename: orNull(asString(frame.filename)),
    absPath: orNull(asString(frame.abs_path)),
    module: orNull(asString(frame.module)),
    package: orNull(asString(frame.package)),
    platform: orNull(asString(frame.platform)),
    function: orNull(asString(frame.function)),
    rawFunction: orNull(asString(frame.raw_function)),
    lineNo: orNull(lineNo),
    colNo: orNull(asNumber(frame.colno)),
    inApp: typeof frame.in_app === 'boolean' ? frame.in_app : false,
    context,
    vars: orNull(asObject(frame.vars)),
  };
}

function exceptionView(exception: JsonObject): JsonObject {
  const frames = framesOf(exception);
  return {
    type: orNull(asString(exception.type)),
    value: orNull(asString(exception.value)),
    module: orNull(asString(exception.module)),
    mechanism: orNull(asObject(exception.mechanism)),
    threadId: orNull(exception.thread_id),
    stacktrace:
      frames.length === 0
        ? null
        : {
            frames: frames.map(frameView),
            framesOmitted: null,
            registers: null,
            hasSystemFrames: frames.some((f) => f.in_app !== true),
          },
    rawStacktrace: null,
  };
}

function breadcrumbView(crumb: JsonObject): JsonObject {
  return {
    type: asString(crumb.type) ?? 'default',
    category: orNull(asString(crumb.category)),
    level: asString(crumb.level) ?? 'info',
    message: orNull(asString(crumb.message)),
    data: orNull(asObject(crumb.data)),
    timestamp: orNull(toIsoTimestamp(crumb.timestamp)),
    event_id: orNull(asString(crumb.event_id)),
  };
}

/** `{ a: 'b' }`, `[['a', 'b']]` or `a=b&c=d` as `[key, value]` pairs, in the order sent. */
function pairs(value: unknown): [string, string][] {
  if (typeof value === 'string') {
    return [...new URLSearchParams(value.startsWith('?') ? value.slice(1) : value)];
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []));
  }
  return (asArray(value) ?? []).flatMap((pair) => {
    const items = asArray(pair);
    return items && typeof items[0] === 'string' && typeof items[1] === 'string'
      ? [[items[0], items[1]] as [string, string]]
      : [];
  });
}

function requestView(request: JsonObject): JsonObject {
  return {
    url: orNull(asString(request.url)),
    method: orNull(asString(request.method)),
    query: pairs(request.query_string),
    fragment: orNull(asString(request.fragment)),
    data: orNull(request.data),
    headers: pairs(request.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    cookies: pairs(request.cookies),
    env: orNull(asObject(request.env)),
    inferredContentType: null,
  };
}

/** Sentry's `entries`: the event's interfaces as `{ type, data }`. */
function entries(event: JsonObject): JsonObject[] {
  const result: JsonObject[] = [];
  const values = exceptions(event);
  if (values.length > 0) {
    result.push({ type: 'exception', data: { values: values.map(exceptionView), excOmitted: null, hasSystemFrames: false } });
  }
  const message = logMessage(event);
  if (message !== undefined) {
    const entry = asObject(event.logentry) ?? asObject(event.message);
    result.push({
      type: 'message',
      data: { formatted: message, message: orNull(asString(entry?.message)), params: orNull(entry?.params) },
    });
  }
  const crumbs = breadcrumbs(event);
  if (crumbs.length > 0) result.push({ type: 'breadcrumbs', data: { values: crumbs.map(breadcrumbView) } });
  const request = asObject(event.request);
  if (request) result.push({ type: 'request', data: requestView(request) });
  return result;
}

function releaseView(event: JsonObject): JsonObject | null {
  const version = releaseOf(event);
  return version === undefined ? null : { version };
}

/** An event as the events list shows it. */
export function eventSummary(project: Project, record: StoredEvent): JsonObject {
  const event = record.event;
  return {
    id: record.eventId,
    eventID: record.eventId,
    groupID: groupIdOf(record),
    projectID: String(project.id),
    'event.type': eventType(event),
    title: eventTitle(event),
    message: eventMessage(event),
    culprit: eventCulprit(event),
    platform: eventPlatform(event),
    dateCreated: dateCreated(record),
    dateReceived: record.received,
    release: releaseView(event),
    tags: eventTags(event),
    user: orNull(asObject(event.user)),
  };
}

/** An event in full, as the single-event endpoint (and `full=true`) shows it. */
export function eventDetail(project: Project, record: StoredEvent): JsonObject {
  const event = record.event;
  const exception = mainException(event);
  return {
    ...eventSummary(project, record),
    type: eventType(event),
    environment: orNull(environmentOf(event)),
    level: asString(event.level) ?? 'error',
    location: orNull(asString(event.transaction)),
    metadata: exception
      ? { type: orNull(asString(exception.type)), value: orNull(asString(exception.value)) }
      : { title: eventTitle(event) },
    entries: entries(event),
    contexts: asObject(event.contexts) ?? {},
    sdk: orNull(asObject(event.sdk)),
    fingerprints: [groupIdOf(record)],
    errors: [],
    _inbox: {
      projectSlug: project.slug,
      projectId: project.id,
      publicKey: record.publicKey,
      keySource: record.keySource,
      envelopeDsn: record.envelopeDsn,
      received: record.received,
    },
  };
}

/** Where the UI shows an issue (Sentry's `permalink`). */
export function issuePath(project: Project, issueId: string): string {
  return `/issues/${encodeURIComponent(project.slug)}/${encodeURIComponent(issueId)}/`;
}

/** An issue as the issues list shows it: Sentry's fields, plus `releases` and `zones` seen. */
export function issueView(project: Project, issue: Issue, origin: string): JsonObject {
  const exception = mainException(issue.latest.event);
  return {
    id: issue.id,
    shortId: shortId(project.slug, issue.number),
    title: issue.title,
    culprit: issue.culprit,
    level: issue.level,
    status: 'unresolved',
    type: issue.type,
    metadata: exception
      ? { type: orNull(asString(exception.type)), value: orNull(asString(exception.value)), title: issue.title }
      : { title: issue.title },
    count: String(issue.count),
    userCount: issue.userCount,
    firstSeen: issue.firstSeen,
    lastSeen: issue.lastSeen,
    releases: issue.releases,
    zones: issue.zones,
    permalink: `${origin}${issuePath(project, issue.id)}`,
    project: { id: String(project.id), slug: project.slug, name: project.slug },
    latestEventID: issue.latest.eventId,
  };
}

function keysView(project: Project, port: number): JsonObject[] {
  return [
    {
      id: project.publicKey,
      name: 'Default',
      label: 'Default',
      public: project.publicKey,
      projectId: project.id,
      isActive: true,
      dsn: { public: localDsn(port, project.slug) },
    },
  ];
}

/* ---------------------------------------------------------------- pagination */

interface Page<T> {
  readonly items: T[];
  readonly link: string;
}

function paginate<T>(items: readonly T[], url: URL, origin: string): Page<T> {
  const perPageParam = url.searchParams.get('per_page');
  const perPage = perPageParam === null ? MAX_PER_PAGE : Number(perPageParam);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    throw new QueryError(`Invalid per_page parameter. Give an integer from 1 to ${MAX_PER_PAGE}.`);
  }
  const cursorParam = url.searchParams.get('cursor');
  let offset = 0;
  if (cursorParam !== null && cursorParam !== '') {
    const match = /^-?\d+(?:\.\d+)?:(\d+):[01]$/.exec(cursorParam);
    if (!match) throw new QueryError('Invalid cursor parameter. Expected <value>:<offset>:<is_prev>, e.g. 0:100:0.');
    offset = Number(match[1]);
  }

  const others = new URLSearchParams(url.searchParams);
  others.delete('cursor');
  const base = `${origin}${url.pathname}?${others.size > 0 ? `${others.toString()}&` : ''}`;
  const entry = (rel: string, cursor: string, results: boolean): string =>
    `<${base}cursor=${cursor}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
  const previous = entry('previous', `0:${Math.max(0, offset - perPage)}:1`, offset > 0);
  const next = entry('next', `0:${offset + perPage}:0`, offset + perPage < items.length);
  return { items: items.slice(offset, offset + perPage), link: `${previous}, ${next}` };
}

/* ---------------------------------------------------------------- routes */

function listEvents(project: Project, url: URL, context: ApiContext): ApiResponse {
  const terms = parseQuery(url.searchParams.get('query') ?? '');
  const full = ['true', '1'].includes(url.searchParams.get('full') ?? '');
  const matching = context.store
    .events(project.id)
    .filter((record) => matchesQuery(terms, record))
    .reverse();
  const page = paginate(matching, url, context.origin);
  const view = full ? eventDetail : eventSummary;
  return { status: 200, body: page.items.map((record) => view(project, record)), headers: { Link: page.link } };
}

function listIssues(project: Project, url: URL, context: ApiContext): ApiResponse {
  const terms = parseQuery(url.searchParams.get('query') ?? '');
  const issues = issuesOf(context.store.events(project.id), (record) => matchesQuery(terms, record));
  const page = paginate(issues, url, context.origin);
  return { status: 200, body: page.items.map((issue) => issueView(project, issue, context.origin)), headers: { Link: page.link } };
}

function oneEvent(project: Project, rawId: string, context: ApiContext): ApiResponse {
  const eventId = normalizeEventId(rawId);
  const record = eventId === undefined ? undefined : context.store.get(project.id, eventId);
  if (!record) return refuse(404, `Event ${rawId} not found in project ${project.slug}.`);
  return { status: 200, body: eventDetail(project, record) };
}

/** The project of an API path, or the 404 to answer. */
export function findProject(org: string, slug: string): Project | ApiResponse {
  if (org !== INBOX_ORG) return refuse(404, `Organization "${org}" not found; the local organization is "${INBOX_ORG}".`);
  return projectBySlug(slug) ?? refuse(404, `Project "${slug}" not found in organization "${INBOX_ORG}".`);
}

/**
 * Answers `GET /api/0/projects/...`, given the path segments after `projects`; undefined when
 * the path is not one of the read API's.
 */
export function readApi(segments: readonly string[], url: URL, context: ApiContext): ApiResponse | undefined {
  const [org, slug, resource, id, ...rest] = segments;
  if (org === undefined || slug === undefined || resource === undefined || rest.length > 0) return undefined;
  const known = (id === undefined && ['events', 'issues', 'keys'].includes(resource)) || (id !== undefined && resource === 'events');
  if (!known) return undefined;

  const project = findProject(org, slug);
  if (!('slug' in project)) return project;

  try {
    if (id !== undefined) return oneEvent(project, id, context);
    if (resource === 'events') return listEvents(project, url, context);
    if (resource === 'issues') return listIssues(project, url, context);
    return { status: 200, body: keysView(project, context.port) };
  } catch (error) {
    if (error instanceof QueryError) return refuse(400, error.message);
    throw error;
  }
}
