/**
 * Release health as the guard reads it: a client of two endpoints of Sentry's web API, which
 * the inbox implements too, so the same requests work against real Sentry.
 *
 *   GET /api/0/projects/{org}/{project}/
 *       the project's numeric id (the sessions endpoint filters by id, not slug); asked once
 *       per owner and kept.
 *   GET /api/0/organizations/{org}/sessions/?project=<id>&field=sum(session)
 *         &groupBy=release&groupBy=session.status&start=<ISO>&end=<ISO>&interval=1m
 *       sessions counted at their start, by release and status.
 *
 * With `Authorization: Bearer <token>` when there is one (real Sentry: a token with
 * `org:read` and `project:read`).
 *
 * Real Sentry's notes: it aligns the range to the interval (start down, end up, to the minute
 * with `1m`), so the window may reach up to a minute before the canary started: the live
 * release's figures gain a little older traffic, the canary's none it did not have (unless the
 * same release was a canary a minute before). `session.status` is `healthy`, `errored`,
 * `crashed`, `abnormal` (newer versions add `unhandled`): everything but `healthy` counts as
 * failed, so a status added later is not taken for a healthy one. Session counts reach its API
 * through an ingestion pipeline, seconds after the SDK sent them.
 */
import type { Owner } from '@repo/topology';
import type { HealthSource } from './config.ts';

/** A release's sessions in a range. */
export interface ReleaseCounts {
  readonly sessions: number;
  /** Every session whose status is not `healthy`. */
  readonly failed: number;
}

export interface HealthReader {
  /** Every release of the owner's project with sessions started in [start, end). */
  countsByRelease(owner: Owner, start: Date, end: Date): Promise<ReadonlyMap<string, ReleaseCounts>>;
}

export class HealthError extends Error {
  override name = 'HealthError';
}

interface Options {
  /** How long one request may take; default 5 s. */
  readonly timeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Sentry error body's `detail`, else the start of the text. */
function detailOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.detail === 'string') return body.detail;
  } catch {
    // not JSON: say what it was
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** What to do about a refusal, in the words of the variables that decide it. */
function advice(status: number, owner: Owner, source: HealthSource): string {
  if (status === 401 || status === 403) {
    return source.token
      ? ' (SENTRY_AUTH_TOKEN, else INBOX_READ_TOKEN, was refused: it needs org:read and project:read)'
      : ' (no token was sent: set SENTRY_AUTH_TOKEN, or INBOX_READ_TOKEN for an inbox that has one)';
  }
  if (status === 404) return ` (is SENTRY_ORG=${source.org} right, and SENTRY_PROJECT_${owner.toUpperCase()}=${source.projects[owner]}?)`;
  return '';
}

/** The sessions endpoint's groups, summed per release; throws when the body is not its shape. */
export function countsFromResponse(body: unknown): Map<string, ReleaseCounts> {
  if (!isRecord(body) || !Array.isArray(body.groups)) throw new HealthError('the sessions answer has no "groups" list');
  const counts = new Map<string, { sessions: number; failed: number }>();
  for (const group of body.groups) {
    if (!isRecord(group) || !isRecord(group.by) || !isRecord(group.totals)) throw new HealthError('a sessions group has no "by" or "totals"');
    const { release, 'session.status': status } = group.by;
    const total = group.totals['sum(session)'];
    if (typeof release !== 'string' || typeof status !== 'string') throw new HealthError('a sessions group is not by release and session.status');
    // Sentry answers null for a sum with no rows.
    if (total !== null && (typeof total !== 'number' || !Number.isFinite(total) || total < 0)) {
      throw new HealthError(`the sessions of ${release} (${status}) are not a count: ${JSON.stringify(total)}`);
    }
    const sessions = total ?? 0;
    const entry = counts.get(release) ?? { sessions: 0, failed: 0 };
    entry.sessions += sessions;
    if (status !== 'healthy') entry.failed += sessions;
    counts.set(release, entry);
  }
  return counts;
}

export function createHealthClient(source: HealthSource, options: Options = {}): HealthReader {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const projectIds = new Map<Owner, string>();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (source.token) headers.authorization = `Bearer ${source.token}`;

  async function getJson(path: string, owner: Owner): Promise<unknown> {
    const url = `${source.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new HealthError(`GET ${url} failed: ${cause}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new HealthError(`GET ${url} answered ${response.status}: ${detailOf(text)}${advice(response.status, owner, source)}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HealthError(`GET ${url} answered ${response.status} with something other than JSON: ${detailOf(text)}`);
    }
  }

  async function projectId(owner: Owner): Promise<string> {
    const known = projectIds.get(owner);
    if (known) return known;
    const slug = source.projects[owner];
    const body = await getJson(`/api/0/projects/${encodeURIComponent(source.org)}/${encodeURIComponent(slug)}/`, owner);
    const id = isRecord(body) ? body.id : undefined;
    // Sentry gives ids as strings of digits; accept a number too.
    const text = typeof id === 'number' ? String(id) : id;
    if (typeof text !== 'string' || !/^\d+$/.test(text)) throw new HealthError(`project ${source.org}/${slug} has no numeric "id"`);
    projectIds.set(owner, text);
    return text;
  }

  return {
    async countsByRelease(owner, start, end) {
      const id = await projectId(owner);
      const query = new URLSearchParams([
        ['project', id],
        ['field', 'sum(session)'],
        ['groupBy', 'release'],
        ['groupBy', 'session.status'],
        ['start', start.toISOString()],
        ['end', end.toISOString()],
        ['interval', '1m'],
      ]);
      try {
        return countsFromResponse(await getJson(`/api/0/organizations/${encodeURIComponent(source.org)}/sessions/?${query}`, owner));
      } catch (error) {
        // A project renamed or recreated has another id: ask again next time.
        if (error instanceof HealthError && / answered 40[034]:/.test(error.message)) projectIds.delete(owner);
        throw error;
      }
    },
  };
}
