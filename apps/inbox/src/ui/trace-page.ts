/**
 * `GET /traces/<trace_id>`: one trace across projects as a waterfall. One row per span, nested
 * by parent, its bar placed on the trace's time line and coloured by the span's owner (legend
 * above), beside the project it was delivered to; each error is a row under its span (or a root)
 * with a mark at its time, linking to its event page.
 *
 * Readable without JS and within the pages' Content-Security-Policy, which forbids inline
 * styles: bars are SVG rectangles placed by their `x` and `width` attributes (presentation
 * attributes, not styles), colours and indentation are classes of inbox.css, and every bar's
 * offset and duration is also written as text.
 */

import { ZONE_NAMES } from '@repo/topology';
import { eventTitle, tagMap } from '../event.ts';
import { projectById } from '../projects.ts';
import { type SpanNode, type Trace, type TraceRoot, errorTime } from '../spans/trace.ts';
import type { StoredEvent } from '../store.ts';
import { type Html, html } from './html.ts';
import { type UiContext, eventPath, href, render, teamPath } from './pages.ts';

/** The SVG's width in user units: positions are per mille of the trace. */
const SCALE = 1000;
/** Deeper rows are indented as deep as this (inbox.css has a class per level). */
const MAX_INDENT = 12;

/** The class that colours an owner: one per owner of the topology, `other` for any other name. */
function ownerClass(owner: string): string {
  return (ZONE_NAMES as readonly string[]).includes(owner) ? `owner-${owner}` : 'owner-other';
}

function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(1)} ms`;
}

interface Row {
  readonly depth: number;
  readonly item: TraceRoot;
}

/** The rows, depth first: a span, its errors, then its children. */
function rows(trace: Trace): Row[] {
  const result: Row[] = [];
  const stack: Row[] = [...trace.roots].reverse().map((item) => ({ depth: 0, item }));
  for (let row = stack.pop(); row; row = stack.pop()) {
    result.push(row);
    if (row.item.kind !== 'span') continue;
    const { node } = row.item;
    const below: Row[] = [
      ...node.errors.map((event) => ({ depth: row.depth + 1, item: { kind: 'error', event } as const })),
      ...node.children.map((child) => ({ depth: row.depth + 1, item: { kind: 'span', node: child } as const })),
    ];
    stack.push(...below.reverse());
  }
  return result;
}

function position(trace: Trace, seconds: number): number {
  const total = trace.end - trace.start;
  return total <= 0 ? 0 : Math.min(SCALE, Math.max(0, ((seconds - trace.start) / total) * SCALE));
}

function errorMark(context: UiContext, trace: Trace, event: StoredEvent): Html {
  const project = projectById(event.projectId);
  const x = Math.min(SCALE - 4, position(trace, errorTime(event)));
  const mark = html`<rect class="error-mark" x="${x.toFixed(1)}" y="0" width="4" height="14"><title>${eventTitle(event.event)}</title></rect>`;
  return project ? html`<a href="${href(context, eventPath(project, event.eventId))}">${mark}</a>` : mark;
}

function timeline(body: Html, label: string): Html {
  return html`<svg class="timeline" viewBox="0 0 ${SCALE} 14" preserveAspectRatio="none" role="img" aria-label="${label}">${body}</svg>`;
}

/**
 * What a request or resource span fetched: span streaming names them by host only
 * (`GET localhost`), and which chunk of whose origin is the point. Query strings are left out.
 */
function urlOf(span: SpanNode['span']): string | null {
  const attributes = span.payload.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return null;
  const url = (attributes as Record<string, unknown>)['url.full'];
  const value = typeof url === 'object' && url !== null && 'value' in url ? url.value : null;
  if (typeof value !== 'string') return null;
  try {
    const parsed = new URL(value);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return value;
  }
}

function spanRow(context: UiContext, trace: Trace, node: SpanNode, depth: number): Html {
  const { span } = node;
  const project = projectById(span.projectId);
  const x = position(trace, span.start);
  const width = Math.max(2, position(trace, span.end) - x);
  const when = `+${ms(span.start - trace.start)}`;
  const duration = ms(Math.max(0, span.end - span.start));
  const url = urlOf(span);
  return html`<tr class="span" data-span-id="${span.spanId}" data-owner="${span.owner}" data-project="${project?.slug ?? String(span.projectId)}">
    <td class="span-name indent-${Math.min(depth, MAX_INDENT)}">${span.op === null ? '' : html`<span class="op">${span.op}</span> `}${span.name}${span.isSegment ? html` <span class="tag">segment</span>` : ''}${
      url === null ? '' : html`<div class="span-url muted">${url}</div>`
    }</td>
    <td><span class="owner ${ownerClass(span.owner)}">${span.owner}</span>${span.release === null ? '' : html` <span class="muted">${span.release}</span>`}</td>
    <td>${project ? html`<a href="${href(context, teamPath(project))}">${project.slug}</a>` : String(span.projectId)}</td>
    <td class="num">${duration}<div class="muted">${when}</div></td>
    <td class="bar">${timeline(
      html`<rect class="${ownerClass(span.owner)}" x="${x.toFixed(1)}" y="2" width="${width.toFixed(1)}" height="10"><title>${span.name}: ${duration} (${span.owner})</title></rect>${node.errors.map((event) => errorMark(context, trace, event))}`,
      `${span.name}: ${when}, ${duration}`,
    )}</td>
  </tr>`;
}

function errorRow(context: UiContext, trace: Trace, event: StoredEvent, depth: number): Html {
  const project = projectById(event.projectId);
  const owner = tagMap(event.event).get('owner') ?? project?.slug ?? '';
  const title = eventTitle(event.event);
  const when = `+${ms(errorTime(event) - trace.start)}`;
  return html`<tr class="error-row" data-event-id="${event.eventId}" data-project="${project?.slug ?? String(event.projectId)}">
    <td class="span-name indent-${Math.min(depth, MAX_INDENT)}"><span class="error-label">error</span> ${
      project ? html`<a href="${href(context, eventPath(project, event.eventId))}">${title}</a>` : title
    }</td>
    <td><span class="owner ${ownerClass(owner)}">${owner}</span></td>
    <td>${project ? html`<a href="${href(context, teamPath(project))}">${project.slug}</a>` : String(event.projectId)}</td>
    <td class="num muted">${when}</td>
    <td class="bar">${timeline(errorMark(context, trace, event), `${title} at ${when}`)}</td>
  </tr>`;
}

function legend(trace: Trace): Html {
  const owners = [...new Set(trace.spans.map((span) => span.owner))].sort();
  return html`<p class="legend" data-legend>${owners.map(
    (owner) => html`<span class="legend-item"><span class="swatch ${ownerClass(owner)}"></span>${owner}</span>`,
  )}<span class="legend-item"><span class="swatch error-swatch"></span>error</span></p>`;
}

/** `GET /traces/<trace_id>`, for a trace the inbox holds something of. */
export function renderTrace(context: UiContext, trace: Trace): string {
  const projects = [...new Set([...trace.spans, ...trace.errors].map((item) => projectById(item.projectId)?.slug ?? ''))].sort();
  return render(
    context,
    `Trace ${trace.traceId}`,
    html`<h1>Trace <code>${trace.traceId}</code></h1>
      <p class="muted">${trace.spans.length} spans and ${trace.errors.length} errors over ${ms(trace.end - trace.start)}, delivered to ${projects.join(', ')}. Each bar is coloured by the span's owner; the project column says which project received it.</p>
      ${legend(trace)}
      <table class="waterfall" data-waterfall>
        <thead><tr><th>Span</th><th>Owner</th><th>Project</th><th class="num">Duration</th><th>Time line (0 – ${ms(trace.end - trace.start)})</th></tr></thead>
        <tbody>${rows(trace).map(({ depth, item }) =>
          item.kind === 'span' ? spanRow(context, trace, item.node, depth) : errorRow(context, trace, item.event, depth),
        )}</tbody>
      </table>`,
  );
}
