/**
 * The browser's side of the panel: follows every project's live stream of one trace in the
 * inbox, reads what each project stored before the stream opened (the stream has no replay: a
 * server's event of this page view is sent before the page even runs), and reads each event in
 * full for its resolved crash frame. Never waits forever: a stream that fails before it opens,
 * or has not opened within `answerWithinMs`, makes the panel say the inbox is not reachable;
 * EventSource keeps retrying, and a later open puts the panel back to listening.
 */
import { ZONE_NAMES, type Owner } from '@repo/topology';
import { eventUrl, eventsUrl, streamUrl, toldOf, topFrameOf, type ToldAction, type ToldEntry } from './told';

export interface ToldSubscription {
  close(): void;
}

export interface SubscribeOptions {
  inbox: string;
  traceId: string;
  dispatch: (action: ToldAction) => void;
  /** How long the streams may take to open before the inbox counts as not reachable. */
  answerWithinMs?: number;
}

/** A stream the inbox refused outright (EventSource gives up) is tried again after this long. */
const REOPEN_MS = 2_000;
/** A read of the lists or of one event: the inbox answers these in milliseconds when it is up. */
const READ_TIMEOUT_MS = 3_000;

async function readJson(url: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(READ_TIMEOUT_MS)]) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

export function subscribeTold({ inbox, traceId, dispatch, answerWithinMs = 1_500 }: SubscribeOptions): ToldSubscription {
  const aborted = new AbortController();
  const streams = new Map<Owner, EventSource>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const seen = new Set<string>();
  const live = () => !aborted.signal.aborted;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (live()) run();
    }, ms);
    timers.add(timer);
  };

  const readFrame = (entry: ToldEntry) => {
    readJson(eventUrl(inbox, entry.project, entry.eventId), aborted.signal)
      .then((event) => topFrameOf(event))
      // The entry stays useful without its frame; the panel says it could not be read.
      .catch(() => null)
      .then((frame) => {
        if (live()) dispatch({ type: 'frame', project: entry.project, eventId: entry.eventId, frame });
      });
  };

  const told = (summary: unknown, project: Owner) => {
    const entry = toldOf(summary, project, inbox);
    if (!entry || seen.has(`${project}/${entry.eventId}`)) return;
    seen.add(`${project}/${entry.eventId}`);
    dispatch({ type: 'event', entry });
    readFrame(entry);
  };

  const backfill = (project: Owner) => {
    readJson(eventsUrl(inbox, project, traceId), aborted.signal)
      .then((events) => {
        if (live() && Array.isArray(events)) for (const summary of events) told(summary, project);
      })
      .catch(() => {
        // The stream is open; a list that could not be read only leaves out what came before it.
      });
  };

  const open = (project: Owner) => {
    const stream = new EventSource(streamUrl(inbox, project, traceId));
    streams.set(project, stream);
    stream.onopen = () => {
      dispatch({ type: 'connection', project, connection: 'open' });
      // After the stream opened, so nothing stored in between is missed (duplicates are dropped).
      backfill(project);
    };
    stream.onmessage = (message: MessageEvent<string>) => {
      try {
        told(JSON.parse(message.data), project);
      } catch {
        // Not JSON: not an event of ours to show.
      }
    };
    stream.onerror = () => {
      dispatch({ type: 'connection', project, connection: 'failed' });
      if (stream.readyState !== EventSource.CLOSED) return; // EventSource retries by itself
      later(REOPEN_MS, () => open(project));
    };
  };

  for (const project of ZONE_NAMES) open(project);
  later(answerWithinMs, () => dispatch({ type: 'timeout' }));

  return {
    close() {
      aborted.abort();
      for (const timer of timers) clearTimeout(timer);
      for (const stream of streams.values()) stream.close();
    },
  };
}
