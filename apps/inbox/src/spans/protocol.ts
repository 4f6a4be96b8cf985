/**
 * Spans, as Sentry's ingest reads them: `span` items (span streaming, the default of the
 * JavaScript SDK 11: `content_type: application/vnd.sentry.items.span.v2+json`, a payload
 * `{ version: 2, items: [...] }` of spans with typed attributes) and `transaction` items (the
 * static lifecycle and other SDKs: a root in `contexts.trace` and its `spans`), the latter
 * flattened into spans of the same shape. Validated before anything of the request is stored: a
 * malformed item throws an IngestFormatError naming the item, the span and the field (400).
 *
 * Stricter than Relay, which drops a bad span and keeps the rest: a sender's mistake refuses the
 * request, so it is seen at once.
 */

import { type Envelope, IngestFormatError, MAX_EVENT_DEPTH, PayloadTooLargeError } from '../envelope.ts';
import { type JsonObject, asArray, asNumber, asObject, asString, isObject, jsonDepth, parseJsonObject } from '../json.ts';

export const SPAN_CONTENT_TYPE = 'application/vnd.sentry.items.span.v2+json';

/** The JavaScript SDK sends at most 1,000 spans per envelope (its span buffer's limit). */
export const MAX_SPANS_PER_ITEM = 1000;

/** The attribute types of span v2, with the JSON type each value must have. */
const ATTRIBUTE_TYPES: Readonly<Record<string, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  boolean: (value) => typeof value === 'boolean',
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  double: (value) => typeof value === 'number' && Number.isFinite(value),
  array: (value) => Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v)),
};

/** Attribute keys the inbox reads (the rest is kept in the payload as sent). */
export const ATTRIBUTE = {
  owner: 'owner',
  release: 'release',
  sentryRelease: 'sentry.release',
  op: 'sentry.op',
  segmentId: 'sentry.segment.id',
  segmentName: 'sentry.segment.name',
  sdkName: 'sentry.sdk.name',
} as const;

/** A span of the request, validated. Times are seconds since the epoch, as sent. */
export interface IncomingSpan {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  readonly parentSpanId: string | null;
  /** The segment (transaction) the span belongs to, as the sender said; its own id for a segment. */
  readonly segmentId: string | null;
  readonly isSegment: boolean;
  readonly name: string;
  readonly op: string | null;
  readonly start: number;
  readonly end: number;
  readonly status: string | null;
  /** The `owner` attribute, when the span has one. */
  readonly owner: string | null;
  /** The `release` attribute, else `sentry.release`. */
  readonly release: string | null;
  /** The span in span v2's shape (a transaction's spans converted to it). */
  readonly payload: JsonObject;
}

export interface EnvelopeSpans {
  readonly spans: readonly IncomingSpan[];
  /** Spans that came in `span` items (rate-limit category `span`). */
  readonly streamed: number;
  /** `transaction` items (rate-limit category `transaction`). */
  readonly transactions: number;
}

export const NO_SPANS: EnvelopeSpans = { spans: [], streamed: 0, transactions: 0 };

function fail(what: string, reason: string): never {
  throw new IngestFormatError(`${what} ${reason}`);
}

function hexId(value: unknown, digits: number, what: string, field: string): string {
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value)) {
    fail(what, `has an invalid "${field}" (give ${digits} hex digits)`);
  }
  return value.toLowerCase();
}

function optionalHexId(value: unknown, digits: number, what: string, field: string): string | null {
  return value === undefined || value === null ? null : hexId(value, digits, what, field);
}

function timestamp(value: unknown, what: string, field: string): number {
  const seconds = asNumber(value);
  if (seconds === undefined || seconds < 0) fail(what, `has an invalid "${field}" (give seconds since the epoch, a number)`);
  return seconds;
}

function optionalString(value: unknown, what: string, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(what, `has a "${field}" that is not a string`);
  return value;
}

/** Checks span v2 attributes: an object of `{ type, value }` with the value of its type. */
function typedAttributes(value: unknown, what: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) fail(what, 'has "attributes" that are not an object');
  for (const [key, attribute] of Object.entries(value)) {
    const typed = asObject(attribute);
    const type = asString(typed?.type);
    const check = type === undefined ? undefined : ATTRIBUTE_TYPES[type];
    if (!typed || !check) {
      fail(what, `has an attribute "${key}" that is not { type, value } with a type of ${Object.keys(ATTRIBUTE_TYPES).join(', ')}`);
    }
    if (!check(typed.value)) fail(what, `has an attribute "${key}" whose value is not of its type "${type}"`);
  }
  return value;
}

/** A string attribute's value (typed attributes). */
function attributeString(attributes: JsonObject, key: string): string | undefined {
  const typed = asObject(attributes[key]);
  return typed?.type === 'string' ? asString(typed.value) : undefined;
}

function spanFrom(payload: JsonObject, attributes: JsonObject, what: string): IncomingSpan {
  const traceId = hexId(payload.trace_id, 32, what, 'trace_id');
  const spanId = hexId(payload.span_id, 16, what, 'span_id');
  const name = payload.name;
  if (typeof name !== 'string') fail(what, 'has no "name" (a string)');
  const start = timestamp(payload.start_timestamp, what, 'start_timestamp');
  const end = timestamp(payload.end_timestamp, what, 'end_timestamp');
  if (payload.is_segment !== undefined && typeof payload.is_segment !== 'boolean') fail(what, 'has an "is_segment" that is not a boolean');
  const isSegment = payload.is_segment === true;
  return {
    traceId,
    spanId,
    parentSpanId: optionalHexId(payload.parent_span_id, 16, what, 'parent_span_id'),
    segmentId: attributeString(attributes, ATTRIBUTE.segmentId)?.toLowerCase() ?? (isSegment ? spanId : null),
    isSegment,
    name,
    op: attributeString(attributes, ATTRIBUTE.op) ?? null,
    start,
    end,
    status: optionalString(payload.status, what, 'status'),
    owner: attributeString(attributes, ATTRIBUTE.owner) ?? null,
    release: attributeString(attributes, ATTRIBUTE.release) ?? attributeString(attributes, ATTRIBUTE.sentryRelease) ?? null,
    payload,
  };
}

function jsonPayload(text: string, what: string): JsonObject {
  const payload = parseJsonObject(text);
  if (!payload) fail(what, 'is not a JSON object');
  if (jsonDepth(payload, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) fail(what, `nests deeper than ${MAX_EVENT_DEPTH} levels`);
  return payload;
}

/** A `span` item: `{ version: 2, items: [...] }`, `item_count` of them. */
function streamedSpans(header: JsonObject, text: string, what: string): IncomingSpan[] {
  if (header.content_type !== SPAN_CONTENT_TYPE) fail(what, `has a "content_type" other than ${SPAN_CONTENT_TYPE}`);
  const payload = jsonPayload(text, `the payload of ${what}`);
  if (payload.version !== undefined && payload.version !== 2) fail(`the payload of ${what}`, 'is not version 2');
  const items = asArray(payload.items);
  if (!items) fail(`the payload of ${what}`, 'has no "items" (an array)');
  if (header.item_count !== items.length) {
    fail(what, `declares "item_count" ${JSON.stringify(header.item_count ?? null)} but holds ${items.length} spans`);
  }
  if (items.length > MAX_SPANS_PER_ITEM) {
    throw new PayloadTooLargeError(`${what} holds ${items.length} spans; the limit is ${MAX_SPANS_PER_ITEM}`);
  }
  return items.map((item, index) => {
    const spanWhat = `span ${index + 1} of ${what}`;
    if (!isObject(item)) fail(spanWhat, 'is not a JSON object');
    return spanFrom(item, typedAttributes(item.attributes, spanWhat), spanWhat);
  });
}

/** A transaction's `data` (plain values) as typed attributes; values of no attribute type are left out. */
function typedFromData(data: JsonObject): Record<string, JsonObject> {
  const typed: Record<string, JsonObject> = {};
  for (const [key, value] of Object.entries(data)) {
    const type =
      typeof value === 'string'
        ? 'string'
        : typeof value === 'boolean'
          ? 'boolean'
          : Number.isInteger(value)
            ? 'integer'
            : typeof value === 'number'
              ? 'double'
              : undefined;
    if (type !== undefined) typed[key] = { type, value };
    else if (ATTRIBUTE_TYPES.array?.(value)) typed[key] = { type: 'array', value };
  }
  return typed;
}

/**
 * One span of a transaction in span v2's shape: `description` → `name`, `data` → `attributes`,
 * `timestamp` → `end_timestamp`, `op` → `sentry.op`; the transaction's release and name become
 * `sentry.release` and `sentry.segment.name` unless the span says otherwise, as the SDK's
 * streamed spans carry them.
 */
function flattened(
  span: JsonObject,
  fields: { name: unknown; op: unknown; end: unknown; isSegment: boolean; segmentId: unknown },
  transaction: JsonObject,
  what: string,
): IncomingSpan {
  const data = span.data === undefined || span.data === null ? {} : asObject(span.data);
  if (!data) fail(what, 'has "data" that is not an object');
  const op = fields.op === undefined || fields.op === null ? undefined : optionalString(fields.op, what, 'op');
  const release = asString(transaction.release);
  const segmentName = asString(transaction.transaction);
  const attributes: Record<string, JsonObject> = {
    ...(op === undefined || op === null ? {} : { [ATTRIBUTE.op]: { type: 'string', value: op } }),
    ...(release === undefined ? {} : { [ATTRIBUTE.sentryRelease]: { type: 'string', value: release } }),
    ...(segmentName === undefined ? {} : { [ATTRIBUTE.segmentName]: { type: 'string', value: segmentName } }),
    ...(typeof fields.segmentId === 'string' ? { [ATTRIBUTE.segmentId]: { type: 'string', value: fields.segmentId } } : {}),
    ...typedFromData(data),
  };
  const payload: JsonObject = {
    trace_id: span.trace_id,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id ?? undefined,
    name: fields.name ?? '',
    start_timestamp: span.start_timestamp,
    end_timestamp: fields.end,
    is_segment: fields.isSegment,
    status: span.status ?? undefined,
    attributes,
  };
  return spanFrom(payload, attributes, what);
}

/** A `transaction` item: its root (`contexts.trace`) and its `spans`, each a span. */
function transactionSpans(text: string, what: string): IncomingSpan[] {
  const transaction = jsonPayload(text, `the payload of ${what}`);
  const trace = asObject(asObject(transaction.contexts)?.trace);
  if (!trace) fail(`the payload of ${what}`, 'has no "contexts.trace"');
  const rootWhat = `the root span (contexts.trace) of ${what}`;
  const root = flattened(
    { ...trace, start_timestamp: transaction.start_timestamp },
    {
      name: transaction.transaction ?? '',
      op: trace.op,
      end: transaction.timestamp,
      isSegment: true,
      segmentId: asString(trace.span_id)?.toLowerCase(),
    },
    transaction,
    rootWhat,
  );
  const spans = transaction.spans === undefined || transaction.spans === null ? [] : asArray(transaction.spans);
  if (!spans) fail(`the payload of ${what}`, 'has "spans" that are not an array');
  if (spans.length > MAX_SPANS_PER_ITEM) {
    throw new PayloadTooLargeError(`${what} holds ${spans.length} spans; the limit is ${MAX_SPANS_PER_ITEM}`);
  }
  return [
    root,
    ...spans.map((span, index) => {
      const spanWhat = `span ${index + 1} of ${what}`;
      if (!isObject(span)) fail(spanWhat, 'is not a JSON object');
      return flattened(
        { ...span, trace_id: span.trace_id ?? root.traceId },
        { name: span.description ?? '', op: span.op, end: span.timestamp, isSegment: false, segmentId: root.spanId },
        transaction,
        spanWhat,
      );
    }),
  ];
}

/** The spans of an envelope, validated; throws before anything is stored if one is malformed. */
export function envelopeSpans(envelope: Envelope): EnvelopeSpans {
  const spans: IncomingSpan[] = [];
  let streamed = 0;
  let transactions = 0;
  envelope.items.forEach((item, index) => {
    const what = `item ${index + 1} (${item.type})`;
    if (item.type === 'span') {
      const found = streamedSpans(item.header, item.payload.toString('utf8'), what);
      streamed += found.length;
      spans.push(...found);
    } else if (item.type === 'transaction') {
      transactions += 1;
      spans.push(...transactionSpans(item.payload.toString('utf8'), what));
    }
  });
  return spans.length === 0 && transactions === 0 ? NO_SPANS : { spans, streamed, transactions };
}
