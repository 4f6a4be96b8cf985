/**
 * The `query=` search of the read API, a subset of Sentry's search syntax. Terms are separated by
 * spaces and all must hold (AND):
 * - `key:value`   the event has tag `key` equal to `value` (case-sensitive); `*` in the value is a
 *                 wildcard (`run:abc*`); `key:"a value with spaces"` quotes; `key:""` means the
 *                 tag is absent or empty. Tags are those the API lists, so `environment`,
 *                 `release`, `level`, `transaction` and `url` work too.
 * - `trace:<id>`   the event belongs to that trace (`contexts.trace.trace_id`, 32 hex digits, any
 *                 case), Sentry's search key for an event's trace; `trace:""` means no trace.
 *                 `has:trace` holds for an event with a trace. It is not a tag: an SDK's tag of
 *                 that name cannot stand in for the trace a page view really had.
 * - `has:key`     the event has tag `key`.
 * - `is:unresolved` always holds (every issue is unresolved here); any other `is:` never does.
 * - `word` or `"some words"`  free text, found case-insensitively in the title, message or culprit.
 * - `!` before a term negates it (`!owner:shop`).
 */

import { eventCulprit, eventMessage, eventTitle, tagMap } from './event.ts';
import { eventTrace, normalizeTraceId } from './spans/trace.ts';
import type { StoredEvent } from './store.ts';

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export type Term =
  | { readonly kind: 'tag'; readonly key: string; readonly value: string; readonly negated: boolean }
  | { readonly kind: 'trace'; readonly traceId: string; readonly negated: boolean }
  | { readonly kind: 'has'; readonly key: string; readonly negated: boolean }
  | { readonly kind: 'is'; readonly value: string; readonly negated: boolean }
  | { readonly kind: 'text'; readonly text: string; readonly negated: boolean };

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const TERM = new RegExp(
  String.raw`(!?)(?:([^\s:"!][^\s:"]*):(${QUOTED}|[^\s"]*)|(${QUOTED}|[^\s"]+))(?=\s|$)`,
  'y',
);

function unquote(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/\\(.)/g, '$1') : text;
}

const TRACE_KEY = 'trace';

/**
 * A `trace:` value, lower-cased ('' for "no trace"). Anything but a trace id is refused rather
 * than matched against nothing: a client that sends a span id or a truncated id should hear why
 * it would never see an event.
 */
function traceIdTerm(value: string): string {
  if (value === '') return '';
  const traceId = normalizeTraceId(value);
  if (traceId === undefined) throw new QueryError(`Invalid trace id in trace:${value}: give 32 hex digits.`);
  return traceId;
}

export function parseQuery(query: string): Term[] {
  const terms: Term[] = [];
  let position = 0;
  while (position < query.length) {
    if (/\s/.test(query[position] ?? '')) {
      position += 1;
      continue;
    }
    TERM.lastIndex = position;
    const match = TERM.exec(query);
    if (!match) {
      throw new QueryError(`cannot read the query from position ${position}: ${query.slice(position)}`);
    }
    position = TERM.lastIndex;
    const negated = match[1] === '!';
    const key = match[2];
    if (key === undefined) {
      terms.push({ kind: 'text', text: unquote(match[4] ?? ''), negated });
      continue;
    }
    const value = unquote(match[3] ?? '');
    if (key === TRACE_KEY) terms.push({ kind: 'trace', traceId: traceIdTerm(value), negated });
    else if (key === 'has') terms.push({ kind: 'has', key: value, negated });
    else if (key === 'is') terms.push({ kind: 'is', value, negated });
    else terms.push({ kind: 'tag', key, value, negated });
  }
  return terms;
}

function valueMatches(pattern: string, value: string | undefined): boolean {
  if (pattern === '') return value === undefined || value === '';
  if (value === undefined) return false;
  if (!pattern.includes('*')) return value === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}

function holds(term: Term, record: StoredEvent, tags: () => ReadonlyMap<string, string>): boolean {
  switch (term.kind) {
    case 'tag':
      return valueMatches(term.value, tags().get(term.key));
    case 'trace':
      return (eventTrace(record.event).traceId ?? '') === term.traceId;
    case 'has':
      return term.key === TRACE_KEY ? (eventTrace(record.event).traceId ?? '') !== '' : tags().has(term.key);
    case 'is':
      return term.value === 'unresolved';
    case 'text': {
      const needle = term.text.toLowerCase();
      const event = record.event;
      return [eventTitle(event), eventMessage(event), eventCulprit(event)].some((text) =>
        text.toLowerCase().includes(needle),
      );
    }
  }
}

/** Whether a stored event satisfies every term. */
export function matchesQuery(terms: readonly Term[], record: StoredEvent): boolean {
  let cached: ReadonlyMap<string, string> | undefined;
  const tags = (): ReadonlyMap<string, string> => (cached ??= tagMap(record.event));
  return terms.every((term) => holds(term, record, tags) !== term.negated);
}
