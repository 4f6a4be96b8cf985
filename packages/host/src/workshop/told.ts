/**
 * "Who got told": what the inbox says about the events of one page view, turned into the
 * panel's entries. Pure (no fetch, no EventSource), so the mapping is tested on its own; the
 * browser side is inbox-stream.ts.
 */
import { INBOX_ORG, ZONE_NAMES, type Owner } from '@repo/topology';

/** The runtime an event came from: Sentry's Node SDK says `platform: "node"`, the browser SDK `"javascript"`. */
export type Runtime = 'server' | 'browser';

/** One event of the page view, as the panel shows it. */
export interface ToldEntry {
  readonly eventId: string;
  /** The project that received it: the owner's. */
  readonly project: Owner;
  readonly runtime: Runtime;
  readonly release: string | null;
  readonly title: string;
  /** When the inbox stored it (ISO 8601), to list entries in the order they arrived. */
  readonly received: string;
  /** The event's page in the inbox. */
  readonly url: string;
  /** The crash frame, `file:line in function`; undefined while it is being read, null if the event has none. */
  readonly frame?: string | null;
}

/** The fields of an event as the inbox's events list and live stream give it, as far as the panel reads them. */
export interface EventSummary {
  readonly eventID?: unknown;
  readonly title?: unknown;
  readonly platform?: unknown;
  readonly release?: unknown;
  readonly dateReceived?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isOwner(value: string): value is Owner {
  return (ZONE_NAMES as readonly string[]).includes(value);
}

/** Node's events are the server's; anything else an SDK of ours sends came from a browser. */
export function runtimeOf(platform: unknown): Runtime {
  return platform === 'node' ? 'server' : 'browser';
}

export function eventPageUrl(inbox: string, project: Owner, eventId: string): string {
  return `${inbox}/events/${encodeURIComponent(project)}/${encodeURIComponent(eventId)}`;
}

export function tracePageUrl(inbox: string, traceId: string): string {
  return `${inbox}/traces/${encodeURIComponent(traceId)}`;
}

/** Sentry's search for "the events of this trace", as the inbox understands it. */
export function traceQuery(traceId: string): string {
  return `trace:${traceId}`;
}

function projectApi(inbox: string, project: Owner): string {
  return `${inbox}/api/0/projects/${INBOX_ORG}/${encodeURIComponent(project)}`;
}

/** The project's live stream of this trace's events. */
export function streamUrl(inbox: string, project: Owner, traceId: string): string {
  return `${projectApi(inbox, project)}/events/stream/?query=${encodeURIComponent(traceQuery(traceId))}`;
}

/** The project's events of this trace stored so far (the stream has no replay). */
export function eventsUrl(inbox: string, project: Owner, traceId: string): string {
  return `${projectApi(inbox, project)}/events/?query=${encodeURIComponent(traceQuery(traceId))}`;
}

/** One event in full (its resolved frames). */
export function eventUrl(inbox: string, project: Owner, eventId: string): string {
  return `${projectApi(inbox, project)}/events/${encodeURIComponent(eventId)}/`;
}

/** An entry for an event the project received; null for anything that is not an event summary. */
export function toldOf(summary: unknown, project: Owner, inbox: string): ToldEntry | null {
  if (!isRecord(summary)) return null;
  const event = summary as EventSummary;
  const eventId = text(event.eventID);
  if (!eventId) return null;
  const release = isRecord(event.release) ? (text(event.release.version) ?? null) : null;
  return {
    eventId,
    project,
    runtime: runtimeOf(event.platform),
    release,
    title: text(event.title) ?? '(no title)',
    received: text(event.dateReceived) ?? '',
    url: eventPageUrl(inbox, project, eventId),
  };
}

interface Frame {
  filename?: unknown;
  absPath?: unknown;
  function?: unknown;
  lineNo?: unknown;
  inApp?: unknown;
}

function framesOf(event: Record<string, unknown>): Frame[] {
  const entries = Array.isArray(event.entries) ? (event.entries as unknown[]) : [];
  const exception = entries.find((entry) => isRecord(entry) && entry.type === 'exception');
  if (!isRecord(exception) || !isRecord(exception.data) || !Array.isArray(exception.data.values)) return [];
  // The main exception is the last value (Sentry's order: a cause comes before what it caused).
  const main: unknown = exception.data.values.at(-1);
  if (!isRecord(main) || !isRecord(main.stacktrace) || !Array.isArray(main.stacktrace.frames)) return [];
  return main.stacktrace.frames.filter(isRecord);
}

/**
 * The crash frame of an event in full (the read API's single event), as `file:line in function`:
 * the last in-app frame (frames are stored outermost first), else the last frame; null when the
 * event has no stack.
 */
export function topFrameOf(event: unknown): string | null {
  if (!isRecord(event)) return null;
  const frames = framesOf(event);
  const frame = frames.filter((f) => f.inApp === true).at(-1) ?? frames.at(-1);
  if (!frame) return null;
  const file = text(frame.filename) ?? text(frame.absPath) ?? '?';
  const at = typeof frame.lineNo === 'number' ? `${file}:${frame.lineNo}` : file;
  const fn = text(frame.function);
  return fn ? `${at} in ${fn}` : at;
}

/** The entries with one more event, once each, in the order the inbox received them. */
export function withEntry(entries: readonly ToldEntry[], entry: ToldEntry): ToldEntry[] {
  if (entries.some((e) => e.eventId === entry.eventId && e.project === entry.project)) return [...entries];
  return [...entries, entry].sort((a, b) => a.received.localeCompare(b.received));
}

/** The entries with an event's frame filled in. */
export function withFrame(entries: readonly ToldEntry[], project: Owner, eventId: string, frame: string | null): ToldEntry[] {
  return entries.map((e) => (e.eventId === eventId && e.project === project ? { ...e, frame } : e));
}

/** How each project's stream stands: not yet open, open, or failed before it opened (or since). */
export type Connection = 'connecting' | 'open' | 'failed';

/** The panel's state for one page view. */
export interface ToldState {
  /** The page view's trace; undefined until the browser has read it (on the server, in hydration). */
  readonly traceId: string | null | undefined;
  readonly connections: Readonly<Record<Owner, Connection>>;
  /** Set once the inbox had its time to answer (then "connecting" is taken as "not reachable"). */
  readonly timedOut: boolean;
  readonly entries: readonly ToldEntry[];
}

export type ToldAction =
  | { type: 'reset'; traceId: string | null | undefined }
  | { type: 'connection'; project: Owner; connection: Connection }
  | { type: 'timeout' }
  | { type: 'event'; entry: ToldEntry }
  | { type: 'frame'; project: Owner; eventId: string; frame: string | null };

function connections(connection: Connection): Record<Owner, Connection> {
  return Object.fromEntries(ZONE_NAMES.map((owner) => [owner, connection])) as Record<Owner, Connection>;
}

export function initialTold(traceId: string | null | undefined): ToldState {
  return { traceId, connections: connections('connecting'), timedOut: false, entries: [] };
}

export function toldReducer(state: ToldState, action: ToldAction): ToldState {
  switch (action.type) {
    case 'reset':
      return initialTold(action.traceId);
    case 'connection':
      return { ...state, connections: { ...state.connections, [action.project]: action.connection } };
    case 'timeout':
      return { ...state, timedOut: true };
    case 'event':
      return { ...state, entries: withEntry(state.entries, action.entry) };
    case 'frame':
      return { ...state, entries: withFrame(state.entries, action.project, action.eventId, action.frame) };
  }
}

/** What the panel says above its entries. */
export type ToldStatus = 'no-trace' | 'connecting' | 'unreachable' | 'listening';

export function toldStatus(state: ToldState): ToldStatus {
  if (state.traceId === null) return 'no-trace';
  if (state.traceId === undefined) return 'connecting';
  const all = Object.values(state.connections);
  if (all.includes('failed')) return 'unreachable';
  if (all.every((c) => c === 'open')) return 'listening';
  return state.timedOut ? 'unreachable' : 'connecting';
}
