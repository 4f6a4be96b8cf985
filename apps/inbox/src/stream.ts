/**
 * The live stream: `GET /api/0/projects/<org>/<project>/events/stream/` as server-sent events.
 * One message per event newly stored in the project (duplicates are not stored, so not sent),
 * its `data` the event as the events list shows it (`eventID`, `title`, `release`, `tags`, ...)
 * plus `issue`, its issue as the issues list shows it after this event. The message's `id` is the
 * event id. `?query=` narrows the stream with the read API's search. There is no replay: a client
 * reads the lists first, then follows the stream (EventSource reconnects by itself; a comment is
 * sent every 20 s so idle connections stay open through proxies).
 */

import type { ServerResponse } from 'node:http';
import type { Term } from './query.ts';
import { matchesQuery } from './query.ts';
import type { StoredEvent } from './store.ts';

interface Subscriber {
  readonly projectId: number;
  readonly terms: readonly Term[];
  readonly response: ServerResponse;
}

const KEEP_ALIVE_MS = 20_000;

export class EventStream {
  private readonly subscribers = new Set<Subscriber>();
  private readonly keepAlive: NodeJS.Timeout;

  constructor() {
    this.keepAlive = setInterval(() => {
      for (const { response } of this.subscribers) response.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  /** Starts a stream on `response`; it lasts until the client goes or `close()`. */
  subscribe(projectId: number, terms: readonly Term[], response: ServerResponse): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // `retry`: how long EventSource waits before reconnecting. The comment flushes the headers.
    response.write('retry: 2000\n: connected\n\n');
    const subscriber: Subscriber = { projectId, terms, response };
    this.subscribers.add(subscriber);
    response.on('close', () => this.subscribers.delete(subscriber));
  }

  /** Sends a stored event to the project's subscribers whose query it matches. */
  publish(record: StoredEvent, message: () => unknown): void {
    let data: string | undefined;
    for (const subscriber of this.subscribers) {
      if (subscriber.projectId !== record.projectId || !matchesQuery(subscriber.terms, record)) continue;
      // JSON.stringify escapes newlines, so the data is one line.
      data ??= `id: ${record.eventId}\ndata: ${JSON.stringify(message())}\n\n`;
      subscriber.response.write(data);
    }
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Ends every stream (the server cannot close while they are open). */
  close(): void {
    clearInterval(this.keepAlive);
    for (const { response } of this.subscribers) response.end();
    this.subscribers.clear();
  }
}
