/**
 * Who owns a span, and how a trace's spans are delivered to their owners. Pure functions over
 * Sentry's span shapes, shared by the browser and the server setup, unit-tested with spans the
 * real SDK made.
 *
 * A span's owner is decided once, when it starts (span-ownership.integration.ts stamps it as
 * attributes, see spans.ts), because only then are its parent, its URL and the code that started
 * it known. At send time Sentry has one envelope per trace with every span of this runtime in it;
 * `splitByOwner` cuts it into one envelope per owner, so each team's project receives its own
 * spans, once, with the same trace id and parent ids, and the trace stitches across projects.
 */
import { createEnvelope, type Envelope, type EnvelopeItem, type EventItem, type SerializedStreamedSpan } from '@sentry/core';
import { isZoneName, type Owner } from '@repo/topology';
import type { OwnerMetadata } from './ownership';
import { isTimelineSpanOp, SENTRY_RELEASE, SPAN_OWNER, SPAN_OWNER_SEGMENT_ID, SPAN_OWNER_SEGMENT_NAME, SPAN_RELEASE } from './spans';

/** Sentry's span v2 keys for a span's segment (as `captureSpan` writes them, @sentry/conventions). */
export const SENTRY_SEGMENT_ID = 'sentry.segment.id';
export const SENTRY_SEGMENT_NAME = 'sentry.segment.name';

/** The attributes Next gives its own spans; their owner is the zone whatever code is on the stack. */
const NEXT_SPAN_TYPE = 'next.span_type';
const URL_ATTRIBUTES = ['url.full', 'http.url'] as const;

/** What is decided about a span when it starts. */
export interface SpanOwnerFacts extends OwnerMetadata {
  /** For a remote's span: its owner root (the top-most span of the same owner on its parent chain). */
  readonly root?: { readonly id: string; readonly name: string };
}

/** A span as it starts. */
export interface StartingSpan {
  readonly spanId: string;
  readonly name: string;
  /** Its attributes at start (spanToJSON(span).attributes). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Whether it has a parent span (a root is the page's or the request's own). */
  readonly hasParent: boolean;
  /** The parent's facts when the parent is a remote's span (only those are remembered). */
  readonly parent?: SpanOwnerFacts;
}

export interface SpanRoutingContext {
  /** The zone whose page runs. */
  readonly zone: Owner;
  /** The zone's own release. */
  readonly release: string;
  /** The owner of the code an origin serves (remotes only): `http://localhost:3001` → shop. */
  ownerOfOrigin(origin: string): Owner | undefined;
  /** The release of a remote's code the page uses (the page view's), when known. */
  pageRelease(owner: Owner): string | undefined;
  /** The remote whose code is on the stack (its innermost frame); called only when nothing else decided. */
  stackOwner(): OwnerMetadata | undefined;
}

function stringAttribute(attributes: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The origin a span's URL attributes name (url.full / http.url, else server.address[:server.port]). */
export function originsOfSpan(attributes: Readonly<Record<string, unknown>>): string[] {
  for (const key of URL_ATTRIBUTES) {
    const url = stringAttribute(attributes, key);
    if (!url) continue;
    try {
      return [new URL(url).origin];
    } catch {
      // A relative or redacted URL says nothing about the origin.
    }
  }
  const address = stringAttribute(attributes, 'server.address');
  if (!address) return [];
  const port = attributes['server.port'];
  const host = typeof port === 'number' || typeof port === 'string' ? `${address}:${port}` : address;
  return [`http://${host}`, `https://${host}`];
}

function pageReleaseOf(owner: Owner, context: SpanRoutingContext): string {
  return context.pageRelease(owner) ?? `${owner}@unknown`;
}

/** A remote's span is its own owner root unless its parent is the same owner's. */
function remoteFacts(owner: Owner, release: string, span: StartingSpan): SpanOwnerFacts {
  const parent = span.parent;
  const root = parent?.owner === owner && parent.root ? parent.root : { id: span.spanId, name: span.name };
  return { owner, release, root };
}

/**
 * The owner of a span as it starts, in order: an explicit `owner` attribute (the host's spans
 * around a remote's code) > a remote-owned parent (inherited) > a URL on a remote's origin (its
 * entry, chunks, manifest) > a remote's code on the stack (not for roots, which are the page's or
 * the request's, nor for Next's own spans or the browser's timeline spans) > the zone.
 */
export function spanOwner(span: StartingSpan, context: SpanRoutingContext): SpanOwnerFacts {
  const { attributes } = span;
  const declared = stringAttribute(attributes, SPAN_OWNER);
  if (declared && isZoneName(declared)) {
    if (declared === context.zone) return { owner: declared, release: context.release };
    const explicit = [SPAN_RELEASE, SENTRY_RELEASE].map((key) => stringAttribute(attributes, key)).find((release) => release?.startsWith(`${declared}@`));
    const inherited = span.parent?.owner === declared ? span.parent.release : undefined;
    return remoteFacts(declared, explicit ?? inherited ?? pageReleaseOf(declared, context), span);
  }
  if (span.parent && span.parent.owner !== context.zone) return remoteFacts(span.parent.owner, span.parent.release, span);
  for (const origin of originsOfSpan(attributes)) {
    const owner = context.ownerOfOrigin(origin);
    if (owner && owner !== context.zone) return remoteFacts(owner, pageReleaseOf(owner, context), span);
  }
  if (span.hasParent && attributes[NEXT_SPAN_TYPE] === undefined && !isTimelineSpanOp(stringAttribute(attributes, 'sentry.op'))) {
    const fromStack = context.stackOwner();
    if (fromStack && fromStack.owner !== context.zone) return remoteFacts(fromStack.owner, fromStack.release, span);
  }
  return { owner: context.zone, release: context.release };
}

/** The attributes a span is stamped with when it starts. */
export function ownerAttributes(facts: SpanOwnerFacts): Record<string, string> {
  if (!facts.root) return { [SPAN_OWNER]: facts.owner, [SPAN_RELEASE]: facts.release };
  return {
    [SPAN_OWNER]: facts.owner,
    [SPAN_RELEASE]: facts.release,
    // Sentry fills sentry.release with the zone's only where it is absent: the owner's project
    // sees its own release.
    [SENTRY_RELEASE]: facts.release,
    [SPAN_OWNER_SEGMENT_ID]: facts.root.id,
    [SPAN_OWNER_SEGMENT_NAME]: facts.root.name,
  };
}

type SpanItem = Extract<EnvelopeItem, [{ type: 'span' }, unknown]>;

function stringValue(span: SerializedStreamedSpan, key: string): string | undefined {
  const value = span.attributes?.[key]?.value;
  return typeof value === 'string' ? value : undefined;
}

/** The owner a serialized span was stamped with; the zone's when it has none. */
export function ownerOfSpan(span: SerializedStreamedSpan, zone: Owner): Owner {
  const owner = stringValue(span, SPAN_OWNER);
  return owner && isZoneName(owner) ? owner : zone;
}

/**
 * A remote's spans as its own project sees them: each owner root is a segment (its own
 * `sentry.segment.id/name`, `is_segment`), its `parent_span_id` still the host's span, so the
 * trace links; every other span names its owner root as segment. The root's name is taken from
 * the root itself when it is in the same envelope (Sentry may rename a span after it started).
 */
export function resegmented(spans: readonly SerializedStreamedSpan[]): SerializedStreamedSpan[] {
  const names = new Map(spans.map((span) => [span.span_id, span.name]));
  return spans.map((span) => {
    const rootId = stringValue(span, SPAN_OWNER_SEGMENT_ID) ?? span.span_id;
    const isRoot = rootId === span.span_id;
    const rootName = isRoot ? span.name : (names.get(rootId) ?? stringValue(span, SPAN_OWNER_SEGMENT_NAME) ?? span.name);
    return {
      ...span,
      is_segment: isRoot,
      attributes: {
        ...span.attributes,
        [SENTRY_SEGMENT_ID]: { type: 'string', value: rootId },
        [SENTRY_SEGMENT_NAME]: { type: 'string', value: rootName },
      },
    };
  });
}

export interface OwnerEnvelope {
  readonly owner: Owner;
  readonly envelope: Envelope;
}

/**
 * One envelope per owner: the zone's keeps everything but the remotes' spans, untouched (so the
 * zone's timings are neither inflated nor duplicated); each remote gets a span item with its
 * spans, re-segmented. The envelope header (the trace's DSC, `sent_at`) is kept in each. An
 * envelope with no remote's span is returned as it is.
 */
export function splitByOwner(envelope: Envelope, zone: Owner): OwnerEnvelope[] {
  const [headers, items] = envelope;
  const byOwner = new Map<Owner, SerializedStreamedSpan[]>();
  let container: SpanItem | undefined;
  const zoneItems: EnvelopeItem[] = [];
  for (const item of items as readonly EnvelopeItem[]) {
    if (item[0].type !== 'span') {
      zoneItems.push(item);
      continue;
    }
    const spanItem = item as SpanItem;
    container ??= spanItem;
    const zoneSpans: SerializedStreamedSpan[] = [];
    for (const span of spanItem[1].items) {
      const owner = ownerOfSpan(span, zone);
      if (owner === zone) zoneSpans.push(span);
      else byOwner.set(owner, [...(byOwner.get(owner) ?? []), span]);
    }
    if (zoneSpans.length === spanItem[1].items.length) zoneItems.push(item);
    else if (zoneSpans.length > 0) zoneItems.push(spanItemOf(spanItem, zoneSpans));
  }
  if (!container || byOwner.size === 0) return [{ owner: zone, envelope }];
  const parts: OwnerEnvelope[] = [];
  if (zoneItems.length > 0) parts.push({ owner: zone, envelope: createEnvelope<Envelope>(headers, zoneItems as Envelope[1]) });
  for (const [owner, spans] of byOwner) {
    parts.push({ owner, envelope: createEnvelope<Envelope>(headers, [spanItemOf(container, resegmented(spans))] as Envelope[1]) });
  }
  return parts;
}

function spanItemOf(like: SpanItem, spans: SerializedStreamedSpan[]): SpanItem {
  return [{ ...like[0], item_count: spans.length }, { ...like[1], items: spans }];
}

/**
 * The owner of a span (or transaction) envelope when it is a remote's: its spans' owner (one per
 * envelope once split), or a transaction's root's (`contexts.trace.data.owner`, static mode).
 */
export function remoteOwnerOfSpans(envelope: Envelope, zone: Owner): Owner | undefined {
  for (const item of envelope[1] as readonly EnvelopeItem[]) {
    if (item[0].type === 'span') {
      const first = (item as SpanItem)[1].items[0];
      const owner = first && ownerOfSpan(first, zone);
      return owner && owner !== zone ? owner : undefined;
    }
    if (item[0].type === 'transaction') {
      const owner = (item as EventItem)[1].contexts?.trace?.data?.[SPAN_OWNER];
      return typeof owner === 'string' && isZoneName(owner) && owner !== zone ? owner : undefined;
    }
  }
  return undefined;
}
