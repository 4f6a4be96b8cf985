/**
 * One trace across projects, as a tree: every span whose trace id it is, whichever project it was
 * delivered to, nested by `parent_span_id`, and the errors of the trace, each under the span its
 * `contexts.trace.span_id` names. What has no parent in the trace is a root: the top of a
 * request, a span whose parent was not sampled or not (yet) received, an error whose span is not
 * in the trace (an unsampled trace's errors are all roots).
 *
 * Spans come from the sender: a cycle of parents, or a chain deeper than MAX_TRACE_DEPTH, is cut
 * (the span that closes it becomes a root) so the tree is always one, and shallow enough to
 * serialise and render.
 */

import { asObject, asString } from '../json.ts';
import type { EventStore, StoredEvent } from '../store.ts';
import type { StoredSpan } from './store.ts';

export const MAX_TRACE_DEPTH = 100;

export interface SpanNode {
  readonly span: StoredSpan;
  readonly children: SpanNode[];
  /** The errors whose span this is, in the order they arrived. */
  readonly errors: StoredEvent[];
}

export type TraceRoot = { readonly kind: 'span'; readonly node: SpanNode } | { readonly kind: 'error'; readonly event: StoredEvent };

export interface Trace {
  readonly traceId: string;
  /** Spans first by start, errors among them by their time. */
  readonly roots: readonly TraceRoot[];
  readonly spans: readonly StoredSpan[];
  readonly errors: readonly StoredEvent[];
  /** The first start and the last end (or error) of the trace, in seconds; 0 when it is empty. */
  readonly start: number;
  readonly end: number;
  /** Spans by id (the first delivered, when one span came to two projects). */
  readonly byId: ReadonlyMap<string, SpanNode>;
}

/** A trace id as the API takes it: 32 hex digits, any case; undefined when it is not one. */
export function normalizeTraceId(value: string): string | undefined {
  return /^[0-9a-fA-F]{32}$/.test(value) ? value.toLowerCase() : undefined;
}

/** The `contexts.trace` of an event: its trace and span id, lower-cased, when it has them. */
export function eventTrace(event: StoredEvent['event']): { traceId?: string; spanId?: string } {
  const trace = asObject(asObject(event.contexts)?.trace);
  return { traceId: asString(trace?.trace_id)?.toLowerCase(), spanId: asString(trace?.span_id)?.toLowerCase() };
}

/** When an error happened, in seconds: its `timestamp`, else when it was received. */
export function errorTime(record: StoredEvent): number {
  const timestamp = record.event.timestamp;
  if (typeof timestamp === 'number' && Number.isFinite(timestamp)) return timestamp;
  const parsed = Date.parse(typeof timestamp === 'string' ? timestamp : record.received);
  return Number.isFinite(parsed) ? parsed / 1000 : Date.parse(record.received) / 1000;
}

/** Attaches each node under its parent, cutting cycles and chains deeper than MAX_TRACE_DEPTH. */
function nest(nodes: readonly SpanNode[], byId: ReadonlyMap<string, SpanNode>): SpanNode[] {
  const childrenOf = new Map<SpanNode, SpanNode[]>();
  const roots: SpanNode[] = [];
  for (const node of nodes) {
    const parent = node.span.parentSpanId === null ? undefined : byId.get(node.span.parentSpanId);
    if (parent && parent !== node) {
      let list = childrenOf.get(parent);
      if (!list) childrenOf.set(parent, (list = []));
      list.push(node);
    } else roots.push(node);
  }
  const placed = new Set<SpanNode>();
  const walk = (root: SpanNode): void => {
    placed.add(root);
    const queue: [SpanNode, number][] = [[root, 0]];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [node, depth] = next;
      for (const child of childrenOf.get(node) ?? []) {
        if (placed.has(child)) continue;
        placed.add(child);
        if (depth + 1 >= MAX_TRACE_DEPTH) {
          roots.push(child);
          queue.push([child, 0]);
        } else {
          node.children.push(child);
          queue.push([child, depth + 1]);
        }
      }
    }
  };
  for (const root of [...roots]) walk(root);
  // What is left hangs in a cycle: its earliest span becomes a root.
  for (const node of nodes) {
    if (placed.has(node)) continue;
    roots.push(node);
    walk(node);
  }
  return roots;
}

function byStart(a: SpanNode, b: SpanNode): number {
  return a.span.start - b.span.start;
}

function sortTree(nodes: SpanNode[]): void {
  const stack = [nodes];
  for (let list = stack.pop(); list; list = stack.pop()) {
    list.sort(byStart);
    for (const node of list) stack.push(node.children);
  }
}

/** The trace `traceId` (lower-case) as the store holds it now. */
export function traceOf(store: EventStore, traceId: string): Trace {
  const spans = store.spans.ofTrace(traceId);
  const errors = store.eventsOfTrace(traceId);
  const nodes: SpanNode[] = spans.map((span) => ({ span, children: [], errors: [] }));
  const byId = new Map<string, SpanNode>();
  for (const node of nodes) if (!byId.has(node.span.spanId)) byId.set(node.span.spanId, node);
  const spanRoots = nest(nodes, byId);
  sortTree(spanRoots);

  const errorRoots: StoredEvent[] = [];
  for (const record of errors) {
    const { spanId } = eventTrace(record.event);
    const node = spanId === undefined ? undefined : byId.get(spanId);
    if (node) node.errors.push(record);
    else errorRoots.push(record);
  }
  const roots: { at: number; root: TraceRoot }[] = [
    ...spanRoots.map((node) => ({ at: node.span.start, root: { kind: 'span', node } as const })),
    ...errorRoots.map((event) => ({ at: errorTime(event), root: { kind: 'error', event } as const })),
  ];
  roots.sort((a, b) => a.at - b.at);

  // A loop, not Math.min(...times): a trace may hold more spans than a call takes arguments.
  let start = Infinity;
  let end = -Infinity;
  for (const time of [...spans.flatMap((span) => [span.start, span.end]), ...errors.map(errorTime)]) {
    start = Math.min(start, time);
    end = Math.max(end, time);
  }
  return {
    traceId,
    roots: roots.map(({ root }) => root),
    spans,
    errors,
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    byId,
  };
}
