/**
 * The developer's page: each team's latest issues and events (`GET /`, refreshed every 3 s), and
 * one event in detail (`GET /events/<project>/<event_id>`). Every piece of event text is
 * attacker-controlled, so everything interpolated goes through `escapeHtml` (the `html` tag does
 * it); the server also sends a Content-Security-Policy that allows no script at all.
 */

import { localDsn } from '@repo/topology';
import {
  breadcrumbs,
  dateCreated,
  environmentOf,
  eventCulprit,
  eventLevel,
  eventTags,
  eventTitle,
  exceptions,
  framesOf,
  releaseOf,
  requestUrl,
  tagMap,
} from './event.ts';
import { issuesOf, shortId } from './grouping.ts';
import { asNumber, asObject, asString, toIsoTimestamp } from './json.ts';
import { PROJECTS, type Project } from './projects.ts';
import type { EventStore, StoredEvent } from './store.ts';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Markup already escaped (built by `html`), as opposed to text. */
class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Interpolation = Html | string | number | undefined | null | readonly Html[];

/** A template tag that escapes every interpolated string; arrays of `Html` are joined. */
function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (value instanceof Html) out += value.markup;
    else if (Array.isArray(value)) out += value.map((v: Html) => v.markup).join('');
    else if (value !== undefined && value !== null) out += escapeHtml(String(value));
    out += strings[i + 1] ?? '';
  });
  return new Html(out);
}

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
  h1 { font-size: 1.4rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
  th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
  th { font-weight: 600; background: #f6f6f6; }
  code, pre { font: 12px/1.4 ui-monospace, monospace; }
  pre { background: #f6f6f6; padding: .5rem; overflow: auto; }
  .muted { color: #777; } .tag { background: #eef; border-radius: 3px; padding: 0 .3rem; margin-right: .3rem; }
`;

function page(title: string, body: Html, refreshSeconds?: number): string {
  const refresh = refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${refreshSeconds}">`;
  return `<!doctype html>\n${
    html`<html lang="en"><head><meta charset="utf-8">${refresh}<title>${title}</title><style>${new Html(STYLE)}</style></head><body>${body}</body></html>`.markup
  }\n`;
}

function time(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

function eventPath(project: Project, record: StoredEvent): string {
  return `/events/${encodeURIComponent(project.slug)}/${encodeURIComponent(record.eventId)}`;
}

const LISTED_TAGS = ['owner', 'zone', 'run'];

function projectSection(project: Project, store: EventStore, port: number): Html {
  const events = store.events(project.id);
  const latest = events.slice(-20).reverse();
  const issues = issuesOf(events, () => true).slice(0, 10);
  const eventRows = latest.map((record) => {
    const tags = tagMap(record.event);
    return html`<tr>
      <td class="muted">${time(record.received)}</td>
      <td><a href="${eventPath(project, record)}">${eventTitle(record.event)}</a></td>
      <td>${releaseOf(record.event) ?? ''}</td>
      <td>${LISTED_TAGS.flatMap((key) => {
        const value = tags.get(key);
        return value === undefined ? [] : [html`<span class="tag">${key}:${value}</span>`];
      })}</td>
    </tr>`;
  });
  const issueRows = issues.map(
    (issue) => html`<tr>
      <td>${shortId(project.slug, issue.number)}</td>
      <td><a href="${eventPath(project, issue.latest)}">${issue.title}</a><div class="muted">${issue.culprit}</div></td>
      <td>${issue.count}</td>
      <td class="muted">${time(issue.lastSeen)}</td>
    </tr>`,
  );
  return html`<section id="${project.slug}">
    <h2>${project.slug} <span class="muted">project ${project.id}, ${events.length} events</span></h2>
    <p class="muted">DSN <code>${localDsn(port, project.slug)}</code></p>
    <h3>Issues</h3>
    ${
      issueRows.length === 0
        ? html`<p class="muted">No issues yet.</p>`
        : html`<table><thead><tr><th>Issue</th><th>Title</th><th>Events</th><th>Last seen</th></tr></thead><tbody>${issueRows}</tbody></table>`
    }
    <h3>Latest events</h3>
    ${
      eventRows.length === 0
        ? html`<p class="muted">No events yet.</p>`
        : html`<table><thead><tr><th>Received</th><th>Title</th><th>Release</th><th>Tags</th></tr></thead><tbody>${eventRows}</tbody></table>`
    }
  </section>`;
}

/** `GET /`: one section per owner. */
export function renderIndex(store: EventStore, port: number): string {
  return page(
    'Inbox',
    html`<h1>Inbox</h1>
      <p class="muted">Events received by the local Sentry-compatible inbox. This page refreshes every 3 seconds.</p>
      ${PROJECTS.map((project) => projectSection(project, store, port))}`,
    3,
  );
}

function frameRows(record: StoredEvent): Html[] {
  return exceptions(record.event)
    .reverse()
    .map((exception) => {
      const frames = framesOf(exception).reverse();
      const mechanism = asObject(exception.mechanism);
      return html`<h3>${asString(exception.type) ?? 'Error'}: ${asString(exception.value) ?? ''}</h3>
        ${mechanism ? html`<p class="muted">mechanism ${asString(mechanism.type) ?? '?'}, handled: ${String(mechanism.handled ?? '?')}</p>` : ''}
        ${
          frames.length === 0
            ? html`<p class="muted">No stack trace.</p>`
            : html`<table><thead><tr><th>Function</th><th>Location</th><th>Code</th></tr></thead><tbody>${frames.map(
                (frame) => html`<tr>
                  <td><code>${asString(frame.function) ?? '?'}</code>${frame.in_app === true ? '' : html` <span class="muted">(not in app)</span>`}</td>
                  <td><code>${asString(frame.filename) ?? asString(frame.abs_path) ?? '?'}:${asNumber(frame.lineno) ?? '?'}:${asNumber(frame.colno) ?? '?'}</code></td>
                  <td><code>${asString(frame.context_line) ?? ''}</code></td>
                </tr>`,
              )}</tbody></table>`
        }`;
    });
}

/** `GET /events/<project>/<event_id>`. */
export function renderEvent(project: Project, record: StoredEvent): string {
  const event = record.event;
  const crumbs = breadcrumbs(event);
  const title = eventTitle(event);
  return page(
    title,
    html`<p><a href="/">← Inbox</a></p>
      <h1>${title}</h1>
      <table><tbody>
        <tr><th>Project</th><td>${project.slug} (${project.id})</td></tr>
        <tr><th>Event id</th><td><code>${record.eventId}</code></td></tr>
        <tr><th>Received</th><td>${time(record.received)}</td></tr>
        <tr><th>Created</th><td>${time(dateCreated(record))}</td></tr>
        <tr><th>Level</th><td>${eventLevel(event)}</td></tr>
        <tr><th>Release</th><td>${releaseOf(event) ?? ''}</td></tr>
        <tr><th>Environment</th><td>${environmentOf(event) ?? ''}</td></tr>
        <tr><th>Culprit</th><td>${eventCulprit(event)}</td></tr>
        <tr><th>Request URL</th><td>${requestUrl(event) ?? ''}</td></tr>
        <tr><th>Client key</th><td><code>${record.publicKey}</code> (from the ${record.keySource}${record.envelopeDsn === null ? '' : html`; envelope dsn <code>${record.envelopeDsn}</code>`})</td></tr>
      </tbody></table>
      <h2>Exception</h2>
      ${exceptions(event).length === 0 ? html`<p class="muted">No exception.</p>` : frameRows(record)}
      <h2>Breadcrumbs</h2>
      ${
        crumbs.length === 0
          ? html`<p class="muted">No breadcrumbs.</p>`
          : html`<table><thead><tr><th>Time</th><th>Category</th><th>Level</th><th>Message / data</th></tr></thead><tbody>${crumbs.map(
              (crumb) => html`<tr>
                <td class="muted">${toIsoTimestamp(crumb.timestamp) ?? ''}</td>
                <td>${asString(crumb.category) ?? asString(crumb.type) ?? ''}</td>
                <td>${asString(crumb.level) ?? ''}</td>
                <td>${asString(crumb.message) ?? ''} ${crumb.data === undefined ? '' : html`<code>${JSON.stringify(crumb.data)}</code>`}</td>
              </tr>`,
            )}</tbody></table>`
      }
      <h2>Tags</h2>
      <table><tbody>${eventTags(event).map((tag) => html`<tr><th>${tag.key}</th><td>${tag.value}</td></tr>`)}</tbody></table>
      <h2>Payload</h2>
      <pre>${JSON.stringify(event, null, 2)}</pre>`,
  );
}

/** A plain page for a missing event or project. */
export function renderNotFound(message: string): string {
  return page('Not found', html`<p><a href="/">← Inbox</a></p><h1>Not found</h1><p>${message}</p>`);
}
