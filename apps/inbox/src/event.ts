/**
 * What Sentry derives from an event payload (title, message, culprit, tags, exceptions, frames),
 * as pure functions of a stored event. The read API and the UI both use them.
 */

import { type JsonObject, asArray, asObject, asString, isObject, toIsoTimestamp } from './json.ts';
import type { StoredEvent } from './store.ts';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

function objects(value: unknown): JsonObject[] {
  return (asArray(value) ?? []).filter(isObject);
}

/** `{ values: [...] }` or, in older payloads, the bare array. */
function valuesOf(value: unknown): JsonObject[] {
  return objects(asObject(value)?.values ?? value);
}

/** The exceptions, innermost-cause first as sent; the main (last raised) one is last. */
export function exceptions(event: JsonObject): JsonObject[] {
  return valuesOf(event.exception);
}

export function mainException(event: JsonObject): JsonObject | undefined {
  return exceptions(event).at(-1);
}

/** Frames oldest call first, as sent; the frame that raised is last. */
export function framesOf(exception: JsonObject): JsonObject[] {
  return objects(asObject(exception.stacktrace)?.frames);
}

/** The frames as the SDK sent them, when the inbox resolved the stack trace (else none). */
export function rawFramesOf(exception: JsonObject): JsonObject[] {
  return objects(asObject(exception.raw_stacktrace)?.frames);
}

/** The frame an issue is attributed to: the last in-app frame, else the last frame. */
export function topFrame(exception: JsonObject): JsonObject | undefined {
  const frames = framesOf(exception);
  return frames.findLast((frame) => frame.in_app === true) ?? frames.at(-1);
}

export function breadcrumbs(event: JsonObject): JsonObject[] {
  return valuesOf(event.breadcrumbs);
}

/** The event's message (`logentry` or `message`, formatted if it was). */
export function logMessage(event: JsonObject): string | undefined {
  for (const source of [event.logentry, event.message]) {
    const text = asString(source);
    if (text !== undefined) return text;
    const entry = asObject(source);
    const formatted = asString(entry?.formatted) ?? asString(entry?.message);
    if (formatted !== undefined) return formatted;
  }
  return undefined;
}

function exceptionText(exception: JsonObject, firstLineOnly: boolean): string {
  const type = asString(exception.type);
  let value = asString(exception.value);
  if (value !== undefined && firstLineOnly) value = truncate(value.split('\n')[0] ?? '', 100);
  if (type === undefined) return value ?? 'Error';
  return value === undefined ? type : `${type}: ${value}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** Sentry's title: `Type: first line of value` for an error, else the message's first line. */
export function eventTitle(event: JsonObject): string {
  const exception = mainException(event);
  if (exception) return exceptionText(exception, true);
  const message = logMessage(event);
  if (message !== undefined) return truncate(message.split('\n')[0] ?? '', 100);
  if (event.type === 'transaction') return asString(event.transaction) ?? '<unlabeled transaction>';
  return '<unlabeled event>';
}

/** The message: the log message if there is one, else the main exception's `Type: value`. */
export function eventMessage(event: JsonObject): string {
  const message = logMessage(event);
  if (message !== undefined) return message;
  const exception = mainException(event);
  return exception ? exceptionText(exception, false) : '';
}

/** Where it happened: the event's `culprit`, its transaction, else the top frame. */
export function eventCulprit(event: JsonObject): string {
  const given = asString(event.culprit) ?? asString(event.transaction);
  if (given !== undefined) return given;
  const exception = mainException(event);
  const frame = exception && topFrame(exception);
  if (!frame) return '';
  const where = asString(frame.module) ?? asString(frame.filename) ?? asString(frame.abs_path) ?? '?';
  const fn = asString(frame.function);
  return fn === undefined ? where : `${where} in ${fn}`;
}

export function eventLevel(event: JsonObject): string {
  return asString(event.level) ?? 'error';
}

export function eventPlatform(event: JsonObject): string {
  return asString(event.platform) ?? 'other';
}

/** `error` when it has an exception, else `default` (as Sentry's `event.type`). */
export function eventType(event: JsonObject): string {
  if (event.type === 'transaction') return 'transaction';
  return mainException(event) ? 'error' : 'default';
}

/** When the event happened: its `timestamp`, else when it was received. */
export function dateCreated(record: StoredEvent): string {
  return toIsoTimestamp(record.event.timestamp) ?? record.received;
}

export function releaseOf(event: JsonObject): string | undefined {
  return asString(event.release);
}

export function environmentOf(event: JsonObject): string | undefined {
  return asString(event.environment);
}

export function requestUrl(event: JsonObject): string | undefined {
  return asString(asObject(event.request)?.url);
}

function tagValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The event's tags as Sentry lists them, sorted by key: those the SDK sent (an object or
 * `[key, value]` pairs) plus the ones Sentry derives from fields (`level`, `environment`,
 * `release`, `transaction`, `url`).
 */
export function eventTags(event: JsonObject): Tag[] {
  const tags = new Map<string, string>();
  const sent = event.tags;
  const pairs: [unknown, unknown][] = isObject(sent)
    ? Object.entries(sent)
    : (asArray(sent) ?? []).flatMap((pair) => {
        const items = asArray(pair);
        return items && items.length === 2 ? [[items[0], items[1]] as [unknown, unknown]] : [];
      });
  for (const [key, value] of pairs) {
    const text = tagValue(value);
    if (typeof key === 'string' && key !== '' && text !== undefined) tags.set(key, text);
  }
  const derived: [string, string | undefined][] = [
    ['level', eventLevel(event)],
    ['environment', environmentOf(event)],
    ['release', releaseOf(event)],
    ['transaction', asString(event.transaction)],
    ['url', requestUrl(event)],
  ];
  for (const [key, value] of derived) if (value !== undefined) tags.set(key, value);
  return [...tags]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));
}

export function tagMap(event: JsonObject): ReadonlyMap<string, string> {
  return new Map(eventTags(event).map((tag) => [tag.key, tag.value]));
}

/** Who it happened to, for counting users: id, else email, username or IP address. */
export function userKey(event: JsonObject): string | undefined {
  const user = asObject(event.user);
  if (!user) return undefined;
  for (const field of ['id', 'email', 'username', 'ip_address']) {
    const value = tagValue(user[field]);
    if (value !== undefined && value !== '') return `${field}:${value}`;
  }
  return undefined;
}
