/**
 * The live stream: `GET /api/0/projects/<org>/<project>/events/stream/` as server-sent events.
 * One message per event newly stored in the project (duplicates are not stored, so not sent),
 * its `data` the event as the events list shows it (`eventID`, `title`, `release`, `tags`, ...)
 * plus `issue`, its issue as the issues list shows it after this event. The message's `id` is the
 * event id. `?query=` narrows the stream with the read API's search. There is no replay: a client
 * reads the lists first, then follows the stream (EventSource reconnects by itself; a comment is
 * sent every 20 s so idle connections stay open through proxies).
 */

import type { Term } from './query.ts';
import { matchesQuery } from './query.ts';
import type { StoredEvent } from './store.ts';

interface Subscriber {
  readonly projectId: number;
  readonly terms: readonly Term[];
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
}

const KEEP_ALIVE_MS = 20_000;

/** The headers of a stream's answer. */
export const STREAM_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

const encoder = new TextEncoder();
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n');
// `retry`: how long EventSource waits before reconnecting. The comment flushes the headers.
const HELLO = encoder.encode('retry: 2000\n: connected\n\n');

export class EventStream {
  private readonly subscribers = new Set<Subscriber>();
  private readonly keepAlive: NodeJS.Timeout;

  constructor() {
    this.keepAlive = setInterval(() => {
      for (const { controller } of this.subscribers) controller.enqueue(KEEP_ALIVE);
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  /** A stream of the project's new events matching `terms`; it lasts until the client goes or `close()`. */
  subscribe(projectId: number, terms: readonly Term[]): ReadableStream<Uint8Array> {
    let subscriber: Subscriber | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        subscriber = { projectId, terms, controller };
        this.subscribers.add(subscriber);
        controller.enqueue(HELLO);
      },
      // The client went away.
      cancel: () => {
        if (subscriber) this.subscribers.delete(subscriber);
      },
    });
  }

  /** Sends a stored event to the project's subscribers whose query it matches. */
  publish(record: StoredEvent, message: () => unknown): void {
    let data: Uint8Array | undefined;
    for (const subscriber of this.subscribers) {
      if (subscriber.projectId !== record.projectId || !matchesQuery(subscriber.terms, record)) continue;
      // JSON.stringify escapes newlines, so the data is one line.
      data ??= encoder.encode(`id: ${record.eventId}\ndata: ${JSON.stringify(message())}\n\n`);
      subscriber.controller.enqueue(data);
    }
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Ends every stream (the server cannot close while they are open). */
  close(): void {
    clearInterval(this.keepAlive);
    for (const { controller } of this.subscribers) controller.close();
    this.subscribers.clear();
  }
}
