/**
 * How the read API shows events, issues, keys and traces: Sentry's web API shapes and field names
 * (`eventID`, `dateCreated`, `entries`, `shortId`, ...). The read API, the live stream and the
 * alerts all show an event or an issue through these.
 */

import { localDsn } from '@repo/topology';
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
  rawFramesOf,
  releaseOf,
} from './event.ts';
import { groupIdOf, shortId, type Issue, type IssueIndex } from './grouping.ts';
import { type JsonObject, asArray, asNumber, asObject, asString, isObject, toIsoTimestamp } from './json.ts';
import { type Project, projectById } from './projects.ts';
import { ATTRIBUTE } from './spans/protocol.ts';
import { type SpanNode, type Trace, errorTime, eventTrace } from './spans/trace.ts';
import type { StoredEvent } from './store.ts';

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
    // How the inbox resolved it: `symbolicated`, `sourcemap`, `release` (whose build it is).
    data: orNull(asObject(frame.data)),
  };
}

function stacktraceView(frames: readonly JsonObject[]): JsonObject | null {
  return frames.length === 0
    ? null
    : {
        frames: frames.map(frameView),
        framesOmitted: null,
        registers: null,
        hasSystemFrames: frames.some((f) => f.in_app !== true),
      };
}

function exceptionView(exception: JsonObject): JsonObject {
  return {
    type: orNull(asString(exception.type)),
    value: orNull(asString(exception.value)),
    module: orNull(asString(exception.module)),
    mechanism: orNull(asObject(exception.mechanism)),
    threadId: orNull(exception.thread_id),
    stacktrace: stacktraceView(framesOf(exception)),
    // The frames as sent, when the inbox resolved some of them.
    rawStacktrace: stacktraceView(rawFramesOf(exception)),
  };
}

/** What Sentry says of each processing error type. */
const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  js_no_source: 'Source code was not found',
  js_invalid_source: 'Invalid source map',
  js_invalid_sourcemap_location: 'Invalid location in sourcemap',
  js_no_column: 'Cannot expand sourcemap due to missing column information',
  js_missing_sources_content: 'Missing source file',
};

/** The event's processing errors as Sentry's API shows them: `{ type, message, data }`. */
function errorsView(event: JsonObject): JsonObject[] {
  return (asArray(event.errors) ?? []).filter(isObject).map(({ type, ...data }) => {
    const kind = asString(type) ?? 'unknown_error';
    return { type: kind, message: ERROR_MESSAGES[kind] ?? kind, data };
  });
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
    errors: errorsView(event),
    _inbox: {
      projectSlug: project.slug,
      projectId: project.id,
      publicKey: record.publicKey,
      keySource: record.keySource,
      envelopeDsn: record.envelopeDsn,
      received: record.received,
      traceId: orNull(eventTrace(event).traceId),
      tracePath: orNull(tracePathOf(event)),
    },
  };
}

/** Where the UI shows an event's trace, when the event has one. */
export function tracePathOf(event: JsonObject): string | undefined {
  const { traceId } = eventTrace(event);
  return traceId === undefined ? undefined : tracePath(traceId);
}

export function tracePath(traceId: string): string {
  return `/traces/${encodeURIComponent(traceId)}`;
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

export function keysView(project: Project, port: number): JsonObject[] {
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

/* ---------------------------------------------------------------- traces */

/** A span's typed attributes as plain values (`{ type, value }` → value). */
function attributeValues(payload: JsonObject): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, typed] of Object.entries(asObject(payload.attributes) ?? {})) {
    const attribute = asObject(typed);
    if (attribute && 'value' in attribute) values[key] = attribute.value;
  }
  return values;
}

function errorNode(record: StoredEvent, issues: IssueIndex): JsonObject {
  const project = projectById(record.projectId);
  const event = record.event;
  const issueId = groupIdOf(record);
  const issue = issues.issue(record.projectId, issueId);
  return {
    event_id: record.eventId,
    event_type: 'error',
    project_id: record.projectId,
    project_slug: project?.slug ?? null,
    transaction: asString(event.transaction) ?? '',
    description: eventTitle(event),
    level: asString(event.level) ?? 'error',
    issue_id: issueId,
    issue_type: 'error',
    culprit: eventCulprit(event),
    short_id: project && issue ? shortId(project.slug, issue.number) : null,
    start_timestamp: errorTime(record),
    _inbox: { publicKey: record.publicKey, keySource: record.keySource },
  };
}

function spanNode(node: SpanNode, trace: Trace, issues: IssueIndex): JsonObject {
  const { span } = node;
  const attributes = attributeValues(span.payload);
  const segmentName = attributes[ATTRIBUTE.segmentName];
  const segment = span.segmentId === null ? undefined : trace.byId.get(span.segmentId);
  const sdkName = attributes[ATTRIBUTE.sdkName];
  return {
    event_id: span.spanId,
    event_type: 'span',
    transaction_id: span.segmentId ?? span.spanId,
    project_id: span.projectId,
    project_slug: projectById(span.projectId)?.slug ?? null,
    transaction: typeof segmentName === 'string' ? segmentName : (segment?.span.name ?? ''),
    description: span.name,
    op: span.op ?? '',
    name: span.name,
    parent_span_id: span.parentSpanId,
    is_transaction: span.isSegment,
    start_timestamp: span.start,
    end_timestamp: span.end,
    duration: Math.round(Math.max(0, span.end - span.start) * 1e6) / 1e3,
    measurements: {},
    profile_id: '',
    profiler_id: '',
    sdk_name: typeof sdkName === 'string' ? sdkName : '',
    children: node.children.map((child) => spanNode(child, trace, issues)),
    errors: node.errors.map((record) => errorNode(record, issues)),
    occurrences: [],
    additional_attributes: { ...attributes, owner: span.owner, release: span.release },
    _inbox: { publicKey: span.publicKey, keySource: span.keySource },
  };
}

/**
 * A trace as Sentry's "Retrieve a Trace" (`GET /api/0/organizations/<org>/trace/<trace_id>/`)
 * answers it: the list of its roots, spans with their `children` and `errors`, and errors whose
 * span is not in the trace. `_inbox` on every node is the inbox's own: the key it was sent with.
 */
export function traceView(trace: Trace, issues: IssueIndex): JsonObject[] {
  return trace.roots.map((root) => (root.kind === 'span' ? spanNode(root.node, trace, issues) : errorNode(root.event, issues)));
}
