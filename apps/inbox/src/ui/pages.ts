/**
 * The developer's pages, server-rendered:
 *
 *   GET /                                  every team: latest issues and events, live
 *   GET /teams/<owner>                     one team: all its issues and latest events, live,
 *                                          and what the team panel adds (the console's releases)
 *   GET /issues/<project>/<issue_id>/      one issue: figures, latest event in full, its events
 *   GET /events/<project>/<event_id>       one event in full, with a link to its trace
 *   GET /traces/<trace_id>                 one trace across projects (ui/trace-page.ts)
 *
 * "Live" sections carry `data-stream` (their project's event stream); /ui/live.js follows it
 * with EventSource and updates the tables in place, building every node with textContent. When
 * the inbox has a read token and the page was opened with `?token=`, links carry it on.
 */

import { INBOX_ORG, localDsn, type Owner } from '@repo/topology';
import {
  breadcrumbs,
  dateCreated,
  environmentOf,
  eventCulprit,
  eventLevel,
  eventTags,
  eventTitle,
  exceptions,
  releaseOf,
  requestUrl,
  tagMap,
} from '../event.ts';
import { type Issue, type IssueIndex, groupIdOf, shortId } from '../grouping.ts';
import { asObject, asString, toIsoTimestamp } from '../json.ts';
import { eventTrace } from '../spans/trace.ts';
import { PROJECTS, type Project } from '../projects.ts';
import type { EventStore, StoredEvent } from '../store.ts';
import { issuePath, tracePathOf } from '../views.ts';
import { type Html, html, page, time } from './html.ts';
import { stackTrace, symbolicationNotice } from './stacktrace.ts';

/** A section a team's view shows besides its events, given the read token the page was opened with. */
export type TeamPanel = (owner: Owner, token: string | undefined) => Promise<Html | ''>;

export interface UiContext {
  readonly store: EventStore;
  readonly issues: IssueIndex;
  /** The port the inbox listens on, for DSNs. */
  readonly port: number;
  /** The read token the page was opened with (`?token=`), carried into links; else undefined. */
  readonly token: string | undefined;
}

/** The tags shown beside each event in lists (live.js shows the same). */
export const LISTED_TAGS = ['owner', 'zone', 'run'];

export function href(context: UiContext, path: string): string {
  return context.token === undefined ? path : `${path}?token=${encodeURIComponent(context.token)}`;
}

export function eventPath(project: Project, eventId: string): string {
  return `/events/${encodeURIComponent(project.slug)}/${encodeURIComponent(eventId)}`;
}

export function teamPath(project: Project): string {
  return `/teams/${encodeURIComponent(project.slug)}`;
}

function streamPath(project: Project): string {
  return `/api/0/projects/${INBOX_ORG}/${encodeURIComponent(project.slug)}/events/stream/`;
}

function nav(context: UiContext): Html {
  return html`<nav aria-label="Inbox"><a class="brand" href="${href(context, '/')}">Inbox</a>${PROJECTS.map(
    (project) => html`<a class="team-link" data-team="${project.slug}" href="${href(context, teamPath(project))}">${project.slug}</a>`,
  )}</nav>`;
}

export function render(context: UiContext, title: string, body: Html, live = false): string {
  return page(title, body, { live, nav: nav(context) });
}

/* ---------------------------------------------------------------- lists (live) */

function issueRow(context: UiContext, project: Project, issue: Issue): Html {
  return html`<tr data-issue-id="${issue.id}">
    <td>${shortId(project.slug, issue.number)}</td>
    <td><a href="${href(context, issuePath(project, issue.id))}">${issue.title}</a><div class="muted">${issue.culprit}</div></td>
    <td class="num">${issue.count}</td>
    <td>${issue.releases.join(', ')}</td>
    <td>${issue.zones.join(', ')}</td>
    <td class="muted">${time(issue.lastSeen)}</td>
  </tr>`;
}

/** The LISTED_TAGS an event has, as labels. */
function listedTags(record: StoredEvent): Html[] {
  const tags = tagMap(record.event);
  return LISTED_TAGS.flatMap((key) => {
    const value = tags.get(key);
    return value === undefined ? [] : [html`<span class="tag">${key}:${value}</span>`];
  });
}

function eventRow(context: UiContext, project: Project, record: StoredEvent): Html {
  return html`<tr data-event-id="${record.eventId}">
    <td class="muted">${time(record.received)}</td>
    <td><a href="${href(context, eventPath(project, record.eventId))}">${eventTitle(record.event)}</a></td>
    <td>${releaseOf(record.event) ?? ''}</td>
    <td>${listedTags(record)}</td>
  </tr>`;
}

function emptyRow(columns: number, text: string): Html {
  return html`<tr class="empty"><td colspan="${columns}" class="muted">${text}</td></tr>`;
}

/** A team's issues and latest events; live.js keeps it up to date (caps in data-limit). */
function teamSection(
  context: UiContext,
  project: Project,
  limits: { issues: number; events: number },
  heading: Html,
  extra: Html | '' = '',
): Html {
  const events = context.store.events(project.id);
  const latest = events.slice(-limits.events).reverse();
  const issues = context.issues.issues(project.id).slice(0, limits.issues);
  return html`<section id="${project.slug}" data-project="${project.slug}" data-stream="${streamPath(project)}">
    ${heading}
    <p class="muted"><span data-event-count>${events.length}</span> events · DSN <code>${localDsn(context.port, project.slug)}</code> · <span class="live" data-live-status data-state="static">not live</span></p>
    ${extra}
    <h3>Issues</h3>
    <table><thead><tr><th>Issue</th><th>Title</th><th>Events</th><th>Releases</th><th>Zones</th><th>Last seen</th></tr></thead>
      <tbody data-issues data-limit="${limits.issues}">${
        issues.length === 0 ? emptyRow(6, 'No issues yet.') : issues.map((issue) => issueRow(context, project, issue))
      }</tbody></table>
    <h3>Latest events</h3>
    <table><thead><tr><th>Received</th><th>Title</th><th>Release</th><th>Tags</th></tr></thead>
      <tbody data-events data-limit="${limits.events}">${
        latest.length === 0 ? emptyRow(4, 'No events yet.') : latest.map((record) => eventRow(context, project, record))
      }</tbody></table>
  </section>`;
}

/* ---------------------------------------------------------------- the front page: one column per team */

/** How many events a team's column lists. */
const COLUMN_EVENTS = 8;

/** An issue as a column shows its latest one (live.js builds the same). */
function issueCard(context: UiContext, project: Project, issue: Issue): Html {
  return html`<article class="issue-card" data-issue-id="${issue.id}">
    <p class="issue-title"><span class="short-id">${shortId(project.slug, issue.number)}</span> <a href="${href(context, issuePath(project, issue.id))}">${issue.title}</a></p>
    <p class="muted culprit">${issue.culprit}</p>
    <p class="meta"><span data-issue-events>${issue.count}</span> ${issue.count === 1 ? 'event' : 'events'} · ${issue.releases.join(', ')} · <span class="muted">${time(issue.lastSeen)}</span></p>
  </article>`;
}

/** An event as a column lists it (live.js builds the same). */
function eventItem(context: UiContext, project: Project, record: StoredEvent): Html {
  return html`<li data-event-id="${record.eventId}">
    <a href="${href(context, eventPath(project, record.eventId))}">${eventTitle(record.event)}</a>
    <div class="meta"><span class="muted">${time(record.received)}</span> ${releaseOf(record.event) ?? ''} ${listedTags(record)}</div>
  </li>`;
}

/**
 * A team's column on `/`: its colour, how many issues and events it has, its latest issue and
 * latest events. The section's attributes are the team view's, so live.js follows it the same way.
 */
function teamColumn(context: UiContext, project: Project): Html {
  const events = context.store.events(project.id);
  const latest = events.slice(-COLUMN_EVENTS).reverse();
  const issues = context.issues.issues(project.id);
  return html`<section id="${project.slug}" data-project="${project.slug}" data-stream="${streamPath(project)}">
    <div class="column-head">
      <h2><a href="${href(context, teamPath(project))}">${project.slug}</a></h2>
      <span class="live" data-live-status data-state="static">not live</span>
    </div>
    <dl class="figures">
      <div><dt>issues</dt><dd data-issue-count>${issues.length}</dd></div>
      <div><dt>events</dt><dd data-event-count>${events.length}</dd></div>
    </dl>
    <h3>Latest issue</h3>
    <div data-latest-issue>${
      issues[0] === undefined ? html`<p class="muted empty">No issues yet.</p>` : issueCard(context, project, issues[0])
    }</div>
    <h3>Latest events</h3>
    <ol class="event-list" data-events data-limit="${COLUMN_EVENTS}">${
      latest.length === 0 ? html`<li class="muted empty">No events yet.</li>` : latest.map((record) => eventItem(context, project, record))
    }</ol>
    <p class="column-foot"><a href="${href(context, teamPath(project))}">All of ${project.slug}'s issues and events</a></p>
    <p class="muted dsn">project ${project.id} · DSN <code>${localDsn(context.port, project.slug)}</code></p>
  </section>`;
}

/** `GET /`: the three teams side by side, live. */
export function renderIndex(context: UiContext): string {
  return render(
    context,
    'Inbox',
    html`<h1>Inbox</h1>
      <p class="lede">Who got told: the errors each team's project received, as they arrive.</p>
      <div class="columns">${PROJECTS.map((project) => teamColumn(context, project))}</div>`,
    true,
  );
}

/** `GET /teams/<owner>`: one team, and its panel (a remote's Releases, rendered by a TeamPanel). */
export function renderTeam(context: UiContext, project: Project, panel: Html | '' = ''): string {
  return render(
    context,
    `${project.slug}: issues`,
    teamSection(
      context,
      project,
      { issues: 100, events: 50 },
      html`<h1>Team ${project.slug} <span class="muted">project ${project.id}</span></h1>`,
      panel,
    ),
    true,
  );
}

/* ---------------------------------------------------------------- one event, one issue */

function exceptionSection(record: StoredEvent): Html {
  const values = exceptions(record.event).reverse();
  if (values.length === 0) return html`<p class="muted">No exception.</p>`;
  return html`${symbolicationNotice(record.event)}${values.map((exception) => {
    const mechanism = asObject(exception.mechanism);
    return html`<h3>${asString(exception.type) ?? 'Error'}: ${asString(exception.value) ?? ''}</h3>
      ${mechanism ? html`<p class="muted">mechanism ${asString(mechanism.type) ?? '?'}, handled: ${String(mechanism.handled ?? '?')}</p>` : ''}
      ${stackTrace(exception)}`;
  })}`;
}

function breadcrumbSection(record: StoredEvent): Html {
  const crumbs = breadcrumbs(record.event);
  if (crumbs.length === 0) return html`<p class="muted">No breadcrumbs.</p>`;
  return html`<table data-breadcrumbs><thead><tr><th>Time</th><th>Category</th><th>Level</th><th>Message / data</th></tr></thead><tbody>${crumbs.map(
    (crumb) => html`<tr>
      <td class="muted">${toIsoTimestamp(crumb.timestamp) ?? ''}</td>
      <td>${asString(crumb.category) ?? asString(crumb.type) ?? ''}</td>
      <td>${asString(crumb.level) ?? ''}</td>
      <td>${asString(crumb.message) ?? ''} ${crumb.data === undefined ? '' : html`<code>${JSON.stringify(crumb.data)}</code>`}</td>
    </tr>`,
  )}</tbody></table>`;
}

function tagsSection(record: StoredEvent): Html {
  return html`<table data-tags><tbody>${eventTags(record.event).map(
    (tag) => html`<tr><th>${tag.key}</th><td>${tag.value}</td></tr>`,
  )}</tbody></table>`;
}

/** What the issue page and the event page both show of an event. */
function eventBody(record: StoredEvent): Html {
  return html`<h2>Exception</h2>
    ${exceptionSection(record)}
    <h2>Breadcrumbs</h2>
    ${breadcrumbSection(record)}
    <h2>Tags</h2>
    ${tagsSection(record)}`;
}

/** `GET /events/<project>/<event_id>`. */
export function renderEvent(context: UiContext, project: Project, record: StoredEvent): string {
  const event = record.event;
  const title = eventTitle(event);
  const issueId = groupIdOf(record);
  const trace = tracePathOf(event);
  return render(
    context,
    title,
    html`<h1>${title}</h1>
      <table><tbody>
        <tr><th>Project</th><td><a href="${href(context, teamPath(project))}">${project.slug}</a> (${project.id})</td></tr>
        <tr><th>Issue</th><td><a href="${href(context, issuePath(project, issueId))}">${issueId}</a></td></tr>
        <tr><th>Event id</th><td><code>${record.eventId}</code></td></tr>
        <tr><th>Received</th><td>${time(record.received)}</td></tr>
        <tr><th>Created</th><td>${time(dateCreated(record))}</td></tr>
        <tr><th>Level</th><td>${eventLevel(event)}</td></tr>
        <tr><th>Release</th><td>${releaseOf(event) ?? ''}</td></tr>
        <tr><th>Environment</th><td>${environmentOf(event) ?? ''}</td></tr>
        <tr><th>Culprit</th><td>${eventCulprit(event)}</td></tr>
        <tr><th>Request URL</th><td data-request-url>${requestUrl(event) ?? ''}</td></tr>
        <tr><th>Trace</th><td data-trace>${
          trace === undefined
            ? html`<span class="muted">none</span>`
            : html`<a href="${href(context, trace)}"><code>${eventTraceId(event)}</code></a> <span class="muted">every span and error of the page view, across projects</span>`
        }</td></tr>
        <tr><th>Client key</th><td><code>${record.publicKey}</code> (from the ${record.keySource}${record.envelopeDsn === null ? '' : html`; envelope dsn <code>${record.envelopeDsn}</code>`})</td></tr>
      </tbody></table>
      ${eventBody(record)}
      <h2>Payload</h2>
      <pre>${JSON.stringify(event, null, 2)}</pre>`,
  );
}

/** `GET /issues/<project>/<issue_id>/`. */
export function renderIssue(context: UiContext, project: Project, issue: Issue): string {
  const latest = issue.latest;
  const tags = tagMap(latest.event);
  const recent = context.store
    .events(project.id)
    .filter((record) => groupIdOf(record) === issue.id)
    .slice(-20)
    .reverse();
  return render(
    context,
    `${shortId(project.slug, issue.number)}: ${issue.title}`,
    html`<h1>${issue.title}</h1>
      <p class="muted">${issue.culprit}</p>
      <table data-issue><tbody>
        <tr><th>Issue</th><td>${shortId(project.slug, issue.number)} <span class="muted">(${issue.id})</span></td></tr>
        <tr><th>Team</th><td><a href="${href(context, teamPath(project))}">${project.slug}</a></td></tr>
        <tr><th>Events</th><td>${issue.count}</td></tr>
        <tr><th>Users</th><td>${issue.userCount}</td></tr>
        <tr><th>First seen</th><td>${time(issue.firstSeen)}</td></tr>
        <tr><th>Last seen</th><td>${time(issue.lastSeen)}</td></tr>
        <tr><th>Releases</th><td>${issue.releases.join(', ')}</td></tr>
        <tr><th>Zones</th><td>${issue.zones.join(', ')}</td></tr>
      </tbody></table>
      <h2>Latest event</h2>
      <table data-latest-event><tbody>
        <tr><th>Event</th><td><a href="${href(context, eventPath(project, latest.eventId))}">${latest.eventId}</a> <span class="muted">${time(latest.received)}</span></td></tr>
        <tr><th>Owner</th><td>${tags.get('owner') ?? ''}</td></tr>
        <tr><th>Zone</th><td>${tags.get('zone') ?? ''}</td></tr>
        <tr><th>Release</th><td>${releaseOf(latest.event) ?? ''}</td></tr>
        <tr><th>Request URL</th><td data-request-url>${requestUrl(latest.event) ?? ''}</td></tr>
      </tbody></table>
      ${eventBody(latest)}
      <h2>Recent events</h2>
      <table><thead><tr><th>Received</th><th>Title</th><th>Release</th><th>Tags</th></tr></thead>
        <tbody>${recent.map((record) => eventRow(context, project, record))}</tbody></table>`,
  );
}

function eventTraceId(event: StoredEvent['event']): string {
  return eventTrace(event).traceId ?? '';
}

/** A plain page for a missing event, issue or team. */
export function renderNotFound(context: UiContext, message: string): string {
  return render(context, 'Not found', html`<h1>Not found</h1><p>${message}</p>`);
}

/** The page a browser gets without the read token. */
export function renderUnauthorized(): string {
  return page(
    'Token required',
    html`<h1>Token required</h1><p>This inbox has a read token: open the page with <code>?token=&lt;token&gt;</code>.</p>`,
    { nav: html`` },
  );
}
