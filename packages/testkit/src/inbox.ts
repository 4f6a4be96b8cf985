/**
 * The inbox as tests and benchmarks use it: its read API (Sentry's paths, docs/inbox.md), a
 * sender for events of their own, and push-based waits on its live stream. A test sets up the
 * wait, acts, then awaits: the stream has no replay, so what is stored before the wait is set up
 * is not seen by it, and what is stored after is seen without polling.
 */
import { randomUUID } from 'node:crypto';
import { INBOX_ORG, INBOX_PROJECTS, ZONE_NAMES, type Owner } from '@repo/topology';

/** The fields of the inbox's full event (Sentry's single-event shape) that tests read. */
export interface InboxEvent {
  eventID: string;
  projectID: string;
  title: string;
  message: string;
  culprit?: string;
  dateCreated?: string;
  release: { version: string } | null;
  environment?: string | null;
  level?: string;
  tags: { key: string; value: string }[];
  entries: { type: string; data: { values?: unknown[]; url?: string } }[];
  contexts?: Record<string, unknown>;
  _inbox: { projectSlug: string; projectId: number; publicKey: string; received: string };
}

/** A project's client key, as `GET .../keys/` lists it. */
export interface InboxKey {
  public: string;
  projectId: number;
  dsn: { public: string };
}

export function tag(event: Pick<InboxEvent, 'tags'>, key: string): string | undefined {
  return event.tags.find((t) => t.key === key)?.value;
}

/** A fresh run id: a test finds its own events by it (`run:<id>`), without resetting anything. */
export function newRun(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function projectUrl(inbox: string, owner: Owner, path: string): URL {
  return new URL(`/api/0/projects/${INBOX_ORG}/${owner}/${path}`, inbox);
}

async function getJson<T>(url: URL, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** The next page of a Sentry `Link` header, when it has results. */
function nextPage(link: string | null): URL | undefined {
  const next = link?.split(/,\s*(?=<)/).find((entry) => /rel="next"/.test(entry) && /results="true"/.test(entry));
  const url = next && /^<([^>]+)>/.exec(next)?.[1];
  return url ? new URL(url) : undefined;
}

/** Every event of a project that `query` matches (the read API's search), in full, newest first. */
export async function eventsMatching(inbox: string, owner: Owner, query: string): Promise<InboxEvent[]> {
  const events: InboxEvent[] = [];
  let url: URL | undefined = projectUrl(inbox, owner, 'events/');
  url.searchParams.set('query', query);
  url.searchParams.set('full', 'true');
  while (url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    events.push(...((await response.json()) as InboxEvent[]));
    url = nextPage(response.headers.get('link'));
  }
  return events;
}

/** The events a project holds for one run, in full, newest first. */
export function eventsOf(inbox: string, owner: Owner, run: string): Promise<InboxEvent[]> {
  return eventsMatching(inbox, owner, `run:${run}`);
}

/** One event in full. */
export function eventById(inbox: string, owner: Owner, eventId: string, signal?: AbortSignal): Promise<InboxEvent> {
  return getJson<InboxEvent>(projectUrl(inbox, owner, `events/${eventId}/`), signal);
}

/** A project's client keys. */
export function keysOf(inbox: string, owner: Owner): Promise<InboxKey[]> {
  return getJson<InboxKey[]>(projectUrl(inbox, owner, 'keys/'));
}

/** Whether the event went to the owner's project with the owner's key. */
export function deliveredTo(event: InboxEvent, owner: Owner): boolean {
  return event.projectID === String(INBOX_PROJECTS[owner].id) && event._inbox.publicKey === INBOX_PROJECTS[owner].publicKey;
}

/**
 * Sends a message event straight to a project, as an SDK would (an envelope with the project's
 * key), and returns its id once the inbox has stored it.
 */
export async function sendEvent(
  inbox: string,
  owner: Owner,
  event: { message: string; tags?: Record<string, string>; level?: string },
): Promise<string> {
  const project = INBOX_PROJECTS[owner];
  const eventId = randomUUID().replaceAll('-', '');
  const payload = { event_id: eventId, timestamp: Date.now() / 1000, platform: 'node', level: 'info', ...event };
  const body = `${JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() })}\n{"type":"event"}\n${JSON.stringify(payload)}\n`;
  const url = new URL(`/api/${project.id}/envelope/?sentry_key=${project.publicKey}&sentry_version=7`, inbox);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-sentry-envelope' }, body });
  if (response.status !== 200) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  return eventId;
}

/* ---------------------------------------------------------------- the live stream */

/** A message of the stream: the event as the events list shows it. */
export interface StreamedEvent {
  eventID: string;
  title: string;
  tags: { key: string; value: string }[];
}

/**
 * Subscribes to a project's live stream; resolves once the inbox has taken the subscription
 * (its answer's head), so everything stored from then on reaches `onEvent`, in store order.
 * `onEnd` is called when the stream ends or breaks (not after `close()`).
 */
async function subscribe(
  inbox: string,
  owner: Owner,
  query: string,
  onEvent: (event: StreamedEvent) => void,
  onEnd: (error: Error) => void,
): Promise<() => void> {
  const url = projectUrl(inbox, owner, 'events/stream/');
  url.searchParams.set('query', query);
  const aborter = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: aborter.signal });
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  const reader = response.body.getReader();
  void (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        // Server-sent events: messages end with a blank line; `data:` lines carry the payload,
        // `:` lines are comments (keep-alives), `id:` and `retry:` are not needed here.
        let end: RegExpExecArray | null;
        while ((end = /\r?\n\r?\n/.exec(buffer))) {
          const block = buffer.slice(0, end.index);
          buffer = buffer.slice(end.index + end[0].length);
          const data = block
            .split(/\r?\n/)
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''))
            .join('\n');
          if (data) onEvent(JSON.parse(data) as StreamedEvent);
        }
      }
      if (!aborter.signal.aborted) onEnd(new Error(`the inbox ended the stream ${url}`));
    } catch (error) {
      if (!aborter.signal.aborted) onEnd(new Error(`the stream ${url} broke: ${(error as Error).message}`));
    }
  })();
  return () => aborter.abort();
}

export interface EventWait {
  /** The first matching event, in full; rejects when none arrives in time. */
  readonly event: Promise<InboxEvent>;
  /** Stops waiting (the stream closes); `event` then never settles. */
  close(): void;
}

export interface EventsWait {
  /** The first `count` matching events, in full, in store order; rejects when fewer arrive in time. */
  readonly events: Promise<InboxEvent[]>;
  /** Stops waiting (the stream closes); `events` then never settles. */
  close(): void;
}

export interface WaitForEventOptions {
  /** Narrows the stream with the read API's search, e.g. `run:<id>`. */
  query?: string;
  /** From the subscription on; default 15 s. */
  timeoutMs?: number;
}

/**
 * Waits for the first `count` events in an owner's project that `predicate` accepts (given each
 * event in full). Resolves once subscribed: set it up, act, then await `.events`.
 */
export async function waitForEvents(
  inbox: string,
  owner: Owner,
  predicate: (event: InboxEvent) => boolean,
  { count = 1, query = '', timeoutMs = 15_000 }: WaitForEventOptions & { count?: number } = {},
): Promise<EventsWait> {
  let resolve!: (events: InboxEvent[]) => void;
  let reject!: (error: Error) => void;
  const events = new Promise<InboxEvent[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A test that fails before awaiting must not crash the runner with an unhandled rejection.
  events.catch(() => undefined);
  const matched: InboxEvent[] = [];
  const seen: string[] = [];
  let settled = false;
  let close = () => {};
  const settle = (finish: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    fullFetch.abort();
    close();
    finish();
  };
  const fullFetch = new AbortController();
  const timer = setTimeout(() => {
    const got = seen.length ? `; it got: ${seen.join(' | ')}` : '; it got nothing';
    const what = `${count} matching event(s) in ${owner}'s project (query "${query}")`;
    settle(() => reject(new Error(`${matched.length} of ${what} within ${timeoutMs / 1000} s${got}`)));
  }, timeoutMs);
  // Full events are fetched one after the other, so matches come in store order.
  let queue = Promise.resolve();
  const onEvent = (streamed: StreamedEvent) => {
    seen.push(streamed.title);
    queue = queue.then(async () => {
      if (settled) return;
      const full = await eventById(inbox, owner, streamed.eventID, fullFetch.signal);
      if (predicate(full)) matched.push(full);
      if (matched.length >= count) settle(() => resolve(matched));
    });
    queue.catch((error: unknown) => settle(() => reject(error as Error)));
  };
  try {
    close = await subscribe(inbox, owner, query, onEvent, (error) => settle(() => reject(error)));
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
  return { events, close: () => settle(() => undefined) };
}

/**
 * Waits for the first event in an owner's project that `predicate` accepts (given the event in
 * full). Resolves once subscribed: set it up, act, then await `.event`.
 */
export async function waitForEvent(
  inbox: string,
  owner: Owner,
  predicate: (event: InboxEvent) => boolean,
  options: WaitForEventOptions = {},
): Promise<EventWait> {
  const wait = await waitForEvents(inbox, owner, predicate, { ...options, count: 1 });
  const event = wait.events.then(([first]) => first as InboxEvent);
  event.catch(() => undefined);
  return { event, close: wait.close };
}

/* ---------------------------------------------------------------- everything of a run */

const BARRIER_TAG = 'testkit-barrier';

/** Whether an event is one of `collectRun`'s barriers (they stay in the inbox, tagged so). */
export function isBarrier(event: Pick<InboxEvent, 'tags'>): boolean {
  return tag(event, BARRIER_TAG) !== undefined;
}

export type RunEvents = Record<Owner, InboxEvent[]>;

export interface RunCollection {
  /**
   * Sends a barrier event of the run to every collected project and resolves once each
   * project's stream has carried its barrier, with every other event of the run each project
   * stored before it, in full, in store order. The inbox streams a project's events in the order
   * it stores them, so everything the act had made it store is there, and a test can assert that
   * nothing else arrived. When the act's events reach the inbox after the act returns (a
   * browser SDK's transport), first await a `waitForEvent` for the one expected.
   */
  untilBarrier(options?: { timeoutMs?: number }): Promise<RunEvents>;
  close(): void;
}

/**
 * Collects every event of a run in every project (or in `owners`) from now on: set it up, act,
 * then `untilBarrier()`.
 */
export async function collectRun(
  inbox: string,
  run: string,
  { owners = ZONE_NAMES }: { owners?: readonly Owner[] } = {},
): Promise<RunCollection> {
  const got = new Map<Owner, StreamedEvent[]>(owners.map((owner) => [owner, []]));
  const barriers = new Set<Owner>();
  let broken: Error | undefined;
  let changed = () => {};
  const closers: (() => void)[] = [];
  const close = () => closers.forEach((closeStream) => closeStream());
  try {
    for (const owner of owners) {
      const onEvent = (event: StreamedEvent) => {
        if (barriers.has(owner)) return;
        if (!isBarrier(event)) got.get(owner)?.push(event);
        else barriers.add(owner);
        changed();
      };
      const onEnd = (error: Error) => {
        broken = error;
        changed();
      };
      closers.push(await subscribe(inbox, owner, `run:${run}`, onEvent, onEnd));
    }
  } catch (error) {
    close();
    throw error;
  }

  return {
    close,
    async untilBarrier({ timeoutMs = 15_000 } = {}) {
      try {
        const arrived = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            const missing = owners.filter((owner) => !barriers.has(owner));
            reject(new Error(`the barrier of run ${run} did not reach ${missing.join(', ')} within ${timeoutMs / 1000} s`));
          }, timeoutMs);
          changed = () => {
            if (!broken && !owners.every((owner) => barriers.has(owner))) return;
            clearTimeout(timer);
            if (broken) reject(broken);
            else resolve();
          };
        });
        await Promise.all(
          owners.map((owner) => sendEvent(inbox, owner, { message: `barrier of run ${run}`, tags: { run, [BARRIER_TAG]: owner } })),
        );
        await arrived;
        const result = Object.fromEntries(ZONE_NAMES.map((owner) => [owner, [] as InboxEvent[]])) as RunEvents;
        for (const [owner, events] of got) result[owner] = await Promise.all(events.map((e) => eventById(inbox, owner, e.eventID)));
        return result;
      } finally {
        close();
      }
    },
  };
}
