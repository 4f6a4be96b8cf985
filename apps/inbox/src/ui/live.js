/* global document, window, EventSource */
/**
 * Live team views: each `<section data-stream>` follows its project's event stream
 * (`/api/0/projects/local/<project>/events/stream/`) and updates its tables in place. Event text
 * is attacker-controlled: every node is built with createElement and textContent, never HTML.
 * Served as a file so the page's Content-Security-Policy can be `script-src 'self'`.
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
    cell(row, event.release && typeof event.release === 'object' ? asText(event.release.version) : '');
    const tagsCell = cell(row);
    const tags = Array.isArray(event.tags) ? event.tags : [];
    for (const key of LISTED_TAGS) {
      const tag = tags.find((t) => t && t.key === key);
      if (!tag) continue;
      const span = document.createElement('span');
      span.className = 'tag';
      span.textContent = `${key}:${asText(tag.value)}`;
      tagsCell.append(span);
    }
    return row;
  }

  /** Puts `row` first in `body`, replacing the row with the same key, and caps the rows. */
  function putFirst(body, row, key, value) {
    for (const empty of body.querySelectorAll('tr.empty')) empty.remove();
    for (const old of body.querySelectorAll('tr')) {
      if (old.dataset[key] === value) old.remove();
    }
    row.classList.add('fresh');
    body.prepend(row);
    const limit = Number(body.dataset.limit) || 100;
    while (body.rows.length > limit) body.lastElementChild.remove();
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
      const issues = section.querySelector('tbody[data-issues]');
      if (issues && event.issue) putFirst(issues, issueRow(slug, event.issue), 'issueId', asText(event.issue.id));
      const events = section.querySelector('tbody[data-events]');
      if (events) putFirst(events, eventRow(slug, event), 'eventId', asText(event.eventID));
      const count = section.querySelector('[data-event-count]');
      if (count) count.textContent = String((Number(count.textContent) || 0) + 1);
    };
  }

  for (const section of document.querySelectorAll('section[data-stream]')) follow(section);
})();
