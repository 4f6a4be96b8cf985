/* global document, window, EventSource */
/**
 * Live team views: each `<section data-stream>` follows its project's event stream
 * (`/api/0/projects/local/<project>/events/stream/`) and updates it in place: a team view's
 * tables (`tbody[data-issues]`, `tbody[data-events]`), or a front-page column's figures, latest
 * issue and event list (`[data-issue-count]`, `[data-latest-issue]`, `ol[data-events]`). Event
 * text is attacker-controlled: every node is built with createElement and textContent, never
 * HTML. Served as a file so the page's Content-Security-Policy can be `script-src 'self'`.
 */
'use strict';

(() => {
  const token = new URLSearchParams(window.location.search).get('token');
  const LISTED_TAGS = ['owner', 'zone', 'run'];

  /** A same-origin path, with the read token carried on when the page had one. */
  function withToken(path) {
    if (!token) return path;
    return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }

  /** As the server's time(): `2025-01-01 00:00:01 UTC`. */
  function time(iso) {
    return String(iso).replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    if (text !== undefined) td.textContent = String(text);
    row.append(td);
    return td;
  }

  function link(path, text) {
    const a = document.createElement('a');
    a.href = withToken(path);
    a.textContent = String(text);
    return a;
  }

  function asText(value) {
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  }

  function asList(value) {
    return Array.isArray(value) ? value.map(asText).join(', ') : '';
  }

  function issueRow(slug, issue) {
    const row = document.createElement('tr');
    row.dataset.issueId = asText(issue.id);
    cell(row, asText(issue.shortId));
    const title = cell(row);
    title.append(link(`/issues/${encodeURIComponent(slug)}/${encodeURIComponent(asText(issue.id))}/`, asText(issue.title)));
    const culprit = document.createElement('div');
    culprit.className = 'muted';
    culprit.textContent = asText(issue.culprit);
    title.append(culprit);
    cell(row, asText(issue.count), 'num');
    cell(row, asList(issue.releases));
    cell(row, asList(issue.zones));
    cell(row, time(asText(issue.lastSeen)), 'muted');
    return row;
  }

  function eventRow(slug, event) {
    const row = document.createElement('tr');
    row.dataset.eventId = asText(event.eventID);
    cell(row, time(asText(event.dateReceived)), 'muted');
    cell(row).append(link(`/events/${encodeURIComponent(slug)}/${encodeURIComponent(asText(event.eventID))}`, asText(event.title)));
    cell(row, releaseText(event));
    cell(row).append(...tagSpans(event));
    return row;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function tagSpans(event) {
    const tags = Array.isArray(event.tags) ? event.tags : [];
    return LISTED_TAGS.flatMap((key) => {
      const tag = tags.find((t) => t && t.key === key);
      return tag ? [element('span', 'tag', `${key}:${asText(tag.value)}`)] : [];
    });
  }

  function releaseText(event) {
    return event.release && typeof event.release === 'object' ? asText(event.release.version) : '';
  }

  /** A column's latest issue, as pages.ts's issueCard. */
  function issueCard(slug, issue) {
    const card = element('article', 'issue-card');
    card.dataset.issueId = asText(issue.id);
    const title = element('p', 'issue-title');
    title.append(
      element('span', 'short-id', asText(issue.shortId)),
      ' ',
      link(`/issues/${encodeURIComponent(slug)}/${encodeURIComponent(asText(issue.id))}/`, asText(issue.title)),
    );
    const meta = element('p', 'meta');
    meta.append(
      element('span', undefined, asText(issue.count)),
      ` ${asText(issue.count) === '1' ? 'event' : 'events'} · ${asList(issue.releases)} · `,
      element('span', 'muted', time(asText(issue.lastSeen))),
    );
    meta.firstChild.dataset.issueEvents = '';
    card.append(title, element('p', 'muted culprit', asText(issue.culprit)), meta);
    return card;
  }

  /** A column's event, as pages.ts's eventItem. */
  function eventItem(slug, event) {
    const item = element('li');
    item.dataset.eventId = asText(event.eventID);
    item.append(link(`/events/${encodeURIComponent(slug)}/${encodeURIComponent(asText(event.eventID))}`, asText(event.title)));
    const meta = element('div', 'meta');
    meta.append(element('span', 'muted', time(asText(event.dateReceived))), ` ${releaseText(event)} `, ...tagSpans(event));
    item.append(meta);
    return item;
  }

  /** Puts `row` first in `body` (rows or list items), replacing the one with the same key, and caps them. */
  function putFirst(body, row, key, value) {
    for (const empty of body.querySelectorAll(':scope > .empty')) empty.remove();
    for (const old of [...body.children]) {
      if (old.dataset[key] === value) old.remove();
    }
    row.classList.add('fresh');
    body.prepend(row);
    const limit = Number(body.dataset.limit) || 100;
    while (body.children.length > limit) body.lastElementChild.remove();
  }

  function increment(node) {
    if (node) node.textContent = String((Number(node.textContent) || 0) + 1);
  }

  function follow(section) {
    const slug = section.dataset.project;
    const status = section.querySelector('[data-live-status]');
    const setStatus = (state, text) => {
      if (!status) return;
      status.dataset.state = state;
      status.textContent = text;
    };
    const source = new EventSource(withToken(section.dataset.stream));
    source.onopen = () => setStatus('live', 'live');
    source.onerror = () => setStatus('reconnecting', 'reconnecting…');
    source.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      const issue = event.issue && typeof event.issue === 'object' ? event.issue : undefined;
      const issues = section.querySelector('tbody[data-issues]');
      if (issues && issue) putFirst(issues, issueRow(slug, issue), 'issueId', asText(issue.id));
      const latestIssue = section.querySelector('[data-latest-issue]');
      if (latestIssue && issue) {
        const card = issueCard(slug, issue);
        card.classList.add('fresh');
        latestIssue.replaceChildren(card);
      }
      // The stream is the project's, unfiltered: an issue's first event is a new issue.
      if (issue && asText(issue.count) === '1') increment(section.querySelector('[data-issue-count]'));
      const events = section.querySelector('tbody[data-events]');
      if (events) putFirst(events, eventRow(slug, event), 'eventId', asText(event.eventID));
      const list = section.querySelector('ol[data-events]');
      if (list) putFirst(list, eventItem(slug, event), 'eventId', asText(event.eventID));
      increment(section.querySelector('[data-event-count]'));
    };
  }

  for (const section of document.querySelectorAll('section[data-stream]')) follow(section);
})();
