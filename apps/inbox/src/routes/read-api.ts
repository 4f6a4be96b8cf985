/**
 * The read API: the subset of Sentry's web API that tests and tools need, with Sentry's paths,
 * JSON field names (views.ts) and pagination. Mounted at `/api/0/projects`:
 *
 *   GET /<org>/<project>/events/              newest first (by arrival)
 *       ?query=<search> (query.ts)  ?full=true (each event as the single-event endpoint)
 *       ?per_page=<1..100, default 100>  ?cursor=<0:offset:is_prev>
 *   GET /<org>/<project>/events/<event_id>/   one event; 404 when unknown
 *   GET /<org>/<project>/issues/              issues, latest activity first
 *       (same query, per_page and cursor parameters; counts only the events the query matches)
 *   GET /<org>/<project>/keys/                the project's client key and DSN
 *   GET /<org>/<project>/                     the project: { id (a string, as Sentry's), slug, name }
 *
 * Pagination is Sentry's offset pagination: a `Link` header with a `rel="previous"` and a
 * `rel="next"` entry, e.g.
 *   <http://localhost:9000/api/0/projects/local/shop/events/?per_page=2&cursor=0:2:0>;
 *   rel="next"; results="true"; cursor="0:2:0"
 * where the cursor is `<value>:<offset>:<is_prev>` (value is always 0 here) and `results` says
 * whether that page has anything.
 */

import { type Context, Hono } from 'hono';
import { INBOX_ORG } from '@repo/topology';
import { normalizeEventId } from '../envelope.ts';
import { issuesOf } from '../grouping.ts';
import { type ApiResponse, refuse, send } from '../http/answer.ts';
import { type InboxEnv, requestOrigin } from '../http/request.ts';
import { type Project, projectBySlug } from '../projects.ts';
import { QueryError, matchesQuery, parseQuery } from '../query.ts';
import type { EventStore } from '../store.ts';
import { eventDetail, eventSummary, issueView, keysView } from '../views.ts';

export interface ReadApiContext {
  readonly store: EventStore;
  /** The port the inbox listens on, for DSNs. */
  readonly site: { readonly port: number };
}

const MAX_PER_PAGE = 100;

interface Page<T> {
  readonly items: T[];
  readonly link: string;
}

function paginate<T>(items: readonly T[], url: URL, origin: string): Page<T> {
  const perPageParam = url.searchParams.get('per_page');
  const perPage = perPageParam === null ? MAX_PER_PAGE : Number(perPageParam);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    throw new QueryError(`Invalid per_page parameter. Give an integer from 1 to ${MAX_PER_PAGE}.`);
  }
  const cursorParam = url.searchParams.get('cursor');
  let offset = 0;
  if (cursorParam !== null && cursorParam !== '') {
    const match = /^-?\d+(?:\.\d+)?:(\d+):[01]$/.exec(cursorParam);
    if (!match) throw new QueryError('Invalid cursor parameter. Expected <value>:<offset>:<is_prev>, e.g. 0:100:0.');
    offset = Number(match[1]);
  }

  const others = new URLSearchParams(url.searchParams);
  others.delete('cursor');
  const base = `${origin}${url.pathname}?${others.size > 0 ? `${others.toString()}&` : ''}`;
  const entry = (rel: string, cursor: string, results: boolean): string =>
    `<${base}cursor=${cursor}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
  const previous = entry('previous', `0:${Math.max(0, offset - perPage)}:1`, offset > 0);
  const next = entry('next', `0:${offset + perPage}:0`, offset + perPage < items.length);
  return { items: items.slice(offset, offset + perPage), link: `${previous}, ${next}` };
}

/** The project of an API path, or the 404 to answer. */
export function findProject(org: string, slug: string): Project | ApiResponse {
  if (org !== INBOX_ORG) return refuse(404, `Organization "${org}" not found; the local organization is "${INBOX_ORG}".`);
  return projectBySlug(slug) ?? refuse(404, `Project "${slug}" not found in organization "${INBOX_ORG}".`);
}

interface Asked {
  readonly url: URL;
  /** The origin the client reached the inbox at, for absolute links. */
  readonly origin: string;
  /** The path's parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
}

type ProjectHandler = (project: Project, asked: Asked) => ApiResponse;

/** Answers with `handler` for the path's project: 404 for an unknown one, 400 for a bad query. */
function forProject(handler: ProjectHandler) {
  return (c: Context<InboxEnv>): Response => {
    const params = c.req.param();
    const project = findProject(params.org ?? '', params.project ?? '');
    if (!('slug' in project)) return send(c, project);
    try {
      return send(c, handler(project, { url: new URL(c.req.url), origin: requestOrigin(c), params }));
    } catch (error) {
      if (error instanceof QueryError) return send(c, refuse(400, error.message));
      throw error;
    }
  };
}

export function readApiRoutes({ store, site }: ReadApiContext): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();

  routes.get(
    '/:org/:project/events',
    forProject((project, { url, origin }) => {
      const terms = parseQuery(url.searchParams.get('query') ?? '');
      const full = ['true', '1'].includes(url.searchParams.get('full') ?? '');
      const matching = store
        .events(project.id)
        .filter((record) => matchesQuery(terms, record))
        .reverse();
      const page = paginate(matching, url, origin);
      const view = full ? eventDetail : eventSummary;
      return { status: 200, body: page.items.map((record) => view(project, record)), headers: { Link: page.link } };
    }),
  );

  routes.get(
    '/:org/:project/events/:eventId',
    forProject((project, { params }) => {
      const rawId = params.eventId ?? '';
      const eventId = normalizeEventId(rawId);
      const record = eventId === undefined ? undefined : store.get(project.id, eventId);
      if (!record) return refuse(404, `Event ${rawId} not found in project ${project.slug}.`);
      return { status: 200, body: eventDetail(project, record) };
    }),
  );

  routes.get(
    '/:org/:project/issues',
    forProject((project, { url, origin }) => {
      const terms = parseQuery(url.searchParams.get('query') ?? '');
      const issues = issuesOf(store.events(project.id), (record) => matchesQuery(terms, record));
      const page = paginate(issues, url, origin);
      return { status: 200, body: page.items.map((issue) => issueView(project, issue, origin)), headers: { Link: page.link } };
    }),
  );

  routes.get(
    '/:org/:project',
    forProject((project) => ({ status: 200, body: { id: String(project.id), slug: project.slug, name: project.slug } })),
  );

  routes.get(
    '/:org/:project/keys',
    forProject((project) => ({ status: 200, body: keysView(project, site.port) })),
  );

  return routes;
}
