/**
 * What Sentry's ingest reads from a request, as pure functions: the envelope format, the event
 * of the store endpoint, and where the client key comes from. Anything malformed throws an
 * IngestFormatError whose message says why (the server answers it with a 400).
 */

import { randomUUID } from 'node:crypto';
import { type JsonObject, asNumber, asString, jsonDepth, parseJsonObject } from './json.ts';
import { MAX_EVENT_BYTES } from './limits.ts';

export class IngestFormatError extends Error {
  override readonly name = 'IngestFormatError';
}

/** An item above its size limit (the server answers 413). */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** Item types held to the event limit (1 MiB), as Sentry does. */
const EVENT_ITEM_TYPES: ReadonlySet<string> = new Set(['event', 'transaction']);

export interface EnvelopeItem {
  readonly header: JsonObject;
  readonly type: string;
  readonly payload: Buffer;
}

export interface Envelope {
  readonly header: JsonObject;
  readonly items: readonly EnvelopeItem[];
}

/** An event to store: its normalised id, its payload, and the payload's JSON text exactly as sent. */
export interface IncomingEvent {
  readonly eventId: string;
  readonly payload: JsonObject;
  readonly text: string;
}

const NEWLINE = 0x0a;

function nextLine(body: Buffer, start: number): { line: Buffer; next: number } {
  const end = body.indexOf(NEWLINE, start);
  return end === -1
    ? { line: body.subarray(start), next: body.length }
    : { line: body.subarray(start, end), next: end + 1 };
}

function jsonObjectLine(line: Buffer, what: string): JsonObject {
  const object = parseJsonObject(line.toString('utf8'));
  if (!object) throw new IngestFormatError(`${what} is not a JSON object`);
  return object;
}

/** The envelope header alone (the first line), e.g. to read its `dsn` before the rest. */
export function parseEnvelopeHeader(body: Buffer): JsonObject {
  if (body.length === 0) throw new IngestFormatError('the envelope is empty');
  return jsonObjectLine(nextLine(body, 0).line, 'the envelope header (first line)');
}

/**
 * Parses an envelope: a header line, then items, each a header line (JSON with `type` and an
 * optional `length`) and a payload. A payload with `length` is exactly that many bytes (then a
 * newline or the end); without, it runs to the next newline. Blank lines between items are
 * tolerated, like a trailing newline. `header` is the envelope header when already parsed.
 */
export function parseEnvelope(body: Buffer, header: JsonObject = parseEnvelopeHeader(body)): Envelope {
  const items: EnvelopeItem[] = [];
  let position = nextLine(body, 0).next;
  while (position < body.length) {
    const { line, next } = nextLine(body, position);
    position = next;
    if (line.toString('utf8').trim() === '') continue;
    const what = `item ${items.length + 1}`;
    const itemHeader = jsonObjectLine(line, `the header of ${what}`);
    const type = asString(itemHeader.type);
    if (type === undefined) throw new IngestFormatError(`the header of ${what} has no "type"`);

    let payload: Buffer;
    if (itemHeader.length === undefined || itemHeader.length === null) {
      const rest = nextLine(body, position);
      payload = rest.line;
      position = rest.next;
    } else {
      const length = asNumber(itemHeader.length);
      if (length === undefined || !Number.isInteger(length) || length < 0) {
        throw new IngestFormatError(`the header of ${what} has an invalid "length"`);
      }
      if (position + length > body.length) {
        throw new IngestFormatError(
          `${what} declares ${length} bytes but only ${body.length - position} remain`,
        );
      }
      payload = body.subarray(position, position + length);
      position += length;
      if (position < body.length) {
        if (body[position] !== NEWLINE) {
          throw new IngestFormatError(`${what}'s payload is longer than its "length" (${length})`);
        }
        position += 1;
      }
    }
    if (EVENT_ITEM_TYPES.has(type) && payload.length > MAX_EVENT_BYTES) {
      throw new PayloadTooLargeError(`${what} (${type}) is ${payload.length} bytes; the limit is ${MAX_EVENT_BYTES}`);
    }
    items.push({ header: itemHeader, type, payload });
  }
  return { header, items };
}

/**
 * Normalises an event id as Sentry does (a UUID, with or without dashes, to 32 lower-case hex
 * digits); undefined when it is not one.
 */
export function normalizeEventId(value: string): string | undefined {
  const hex = value.replaceAll('-', '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : undefined;
}

/**
 * How deeply an event may nest. SDKs normalise far shallower (JavaScript's normalizeDepth is 3
 * below `extra` and `contexts`); the limit guards the stores and pages that walk an event.
 */
export const MAX_EVENT_DEPTH = 64;

function incomingEvent(text: string, fallbackId: unknown, what: string): IncomingEvent {
  const payload = parseJsonObject(text);
  if (!payload) throw new IngestFormatError(`${what} is not a JSON object`);
  if (jsonDepth(payload, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) {
    throw new IngestFormatError(`${what} nests deeper than ${MAX_EVENT_DEPTH} levels`);
  }
  const raw = payload.event_id ?? fallbackId;
  if (raw === undefined || raw === null) {
    return { eventId: randomUUID().replaceAll('-', ''), payload, text };
  }
  const eventId = typeof raw === 'string' ? normalizeEventId(raw) : undefined;
  if (eventId === undefined) throw new IngestFormatError(`${what} has an invalid event_id`);
  return { eventId, payload, text };
}

/**
 * Item types stored as events. Sessions are read by sessions/protocol.ts, spans and transactions
 * by spans/protocol.ts; everything else (client reports, attachments...) is accepted and dropped.
 */
export const STORED_ITEM_TYPES: ReadonlySet<string> = new Set(['event']);

/** The events of an envelope, validated; throws before anything is stored if one is malformed. */
export function envelopeEvents(envelope: Envelope): IncomingEvent[] {
  return envelope.items.flatMap((item, index) => {
    if (!STORED_ITEM_TYPES.has(item.type)) return [];
    const what = `item ${index + 1} (${item.type})`;
    return [incomingEvent(item.payload.toString('utf8'), envelope.header.event_id, `the payload of ${what}`)];
  });
}

/** The event of a store endpoint request (the body is one event). */
export function storeEvent(body: Buffer): IncomingEvent {
  if (body.length > MAX_EVENT_BYTES) {
    throw new PayloadTooLargeError(`the event is ${body.length} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  return incomingEvent(body.toString('utf8'), undefined, 'the body (one event)');
}

/**
 * The `sentry_key` of an `X-Sentry-Auth` (or `Authorization`) header:
 * `Sentry sentry_key=<key>, sentry_version=7, sentry_client=...`.
 */
export function keyFromAuthHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Sentry\s+(.*)$/is.exec(header);
  if (!match?.[1]) return undefined;
  for (const part of match[1].split(',')) {
    const [name, ...value] = part.split('=');
    if (name?.trim() === 'sentry_key') return asString(value.join('=').trim());
  }
  return undefined;
}

/** A DSN's public key and project id (`http://<key>@host/<projectId>`); throws when it is not a DSN. */
export function parseDsn(dsn: string): { readonly key: string; readonly projectId: string } {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new IngestFormatError('the envelope header\'s "dsn" is not a URL');
  }
  let key: string;
  try {
    key = decodeURIComponent(url.username);
  } catch {
    key = url.username;
  }
  if (key === '') throw new IngestFormatError('the envelope header\'s "dsn" has no public key');
  const projectId = url.pathname.split('/').filter((part) => part !== '').at(-1) ?? '';
  return { key, projectId };
}
