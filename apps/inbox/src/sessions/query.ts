/**
 * Sentry's release-health query (`GET /api/0/organizations/<org>/sessions/`), the subset a
 * release guard needs: the parameters read into a SessionsQuery (or a QueryError saying what is
 * not supported, answered 400), and the answer in Sentry's shape:
 *
 *   { "start", "end", "intervals": [ISO…], "query": "",
 *     "groups": [ { "by": { "release": "shop@1.2.0", "session.status": "healthy" },
 *                   "totals": { "sum(session)": 12 }, "series": { "sum(session)": [ … ] } } ] }
 *
 * As Sentry: a session counts at its `started` time; `session.status` groups are exclusive
 * (`healthy`, `errored` = errored but neither crashed nor abnormal, `crashed`, `abnormal`) and all
 * four are given for each group; a user counts once per group, with their worst status;
 * `by.project` is the numeric id; a group without an environment has no `environment` key;
 * rates are null where there are no sessions; crash rates cannot be grouped by session.status.
 * Unlike Sentry, start and end are not rounded out to the interval: totals count exactly
 * [start, end), and the intervals are the interval's UTC boundaries that cover it, so a window
 * that starts with a canary does not take in the minute before it.
 */

import { PROJECTS } from '../projects.ts';
import { QueryError, parseQuery } from '../query.ts';
import { HEALTH_RANK, HEALTH_STATUSES, type HealthStatus, type SessionFilter, type SessionStore } from './store.ts';

export const SESSION_FIELDS = [
  'sum(session)',
  'count_unique(user)',
  'crash_free_rate(session)',
  'crash_rate(session)',
  'crash_free_rate(user)',
  'crash_rate(user)',
] as const;
export type SessionField = (typeof SESSION_FIELDS)[number];

export const SESSION_GROUP_BYS = ['project', 'release', 'environment', 'session.status'] as const;
export type SessionGroupBy = (typeof SESSION_GROUP_BYS)[number];

/** Sentry's cap on points per group (MAX_POINTS). */
export const MAX_INTERVALS = 1000;

/** Sentry's parameters this endpoint refuses rather than ignores: answering without them would mislead. */
const UNSUPPORTED_PARAMS = ['orderBy', 'per_page', 'cursor', 'statsPeriodStart', 'statsPeriodEnd'];

const DEFAULT_PERIOD = '24h';
const DEFAULT_INTERVAL = '1h';

export interface SessionsQuery {
  readonly fields: readonly SessionField[];
  readonly groupBy: readonly SessionGroupBy[];
  readonly filter: SessionFilter;
  readonly interval: number;
  readonly includeTotals: boolean;
  readonly includeSeries: boolean;
  /** The `query` parameter as given. */
  readonly query: string;
}

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `5m`, `1h`, `24h`, `14d`, or a number of seconds; undefined when unreadable or not positive. */
function duration(text: string): number | undefined {
  const match = /^(\d+)([smhdw]?)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1000);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** An ISO 8601 time; one without a zone is UTC, as Sentry reads it. */
function time(text: string, name: string): number {
  const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  if (!Number.isFinite(ms)) throw new QueryError(`Invalid ${name}: ${JSON.stringify(text)} is not an ISO 8601 time.`);
  return ms;
}

function oneOf<T extends string>(values: readonly string[], allowed: readonly T[], name: string): T[] {
  return values.map((value) => {
    const known = allowed.find((candidate) => candidate === value);
    if (!known) throw new QueryError(`Invalid ${name}: ${JSON.stringify(value)}. Supported: ${allowed.join(', ')}.`);
    return known;
  });
}

function projectIds(values: readonly string[]): number[] | undefined {
  const ids = values.flatMap((value) => value.split(',')).filter((value) => value !== '');
  if (ids.length === 0 || ids.includes('-1')) return undefined;
  return ids.map((value) => {
    if (!/^\d+$/.test(value)) throw new QueryError(`Invalid project parameter: ${JSON.stringify(value)}. Values must be numbers.`);
    return Number(value);
  });
}

/** `release:<r>` and `environment:<e>` terms, ANDed: what the search of this endpoint supports here. */
function queryFilters(text: string): { releases?: string[]; environments?: string[] } {
  const releases: string[] = [];
  const environments: string[] = [];
  for (const term of parseQuery(text)) {
    if (term.kind !== 'tag' || term.negated || (term.key !== 'release' && term.key !== 'environment')) {
      throw new QueryError(
        `Unsupported query ${JSON.stringify(text)}: the inbox's sessions search takes release:<release> and environment:<environment> terms only.`,
      );
    }
    (term.key === 'release' ? releases : environments).push(term.value);
  }
  // Two different values of one key, ANDed, match nothing: an empty list says so.
  const narrowed = (values: string[]): string[] | undefined =>
    values.length === 0 ? undefined : new Set(values).size === 1 ? values.slice(0, 1) : [];
  return { releases: narrowed(releases), environments: narrowed(environments) };
}

function intersect(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  if (!a) return b ? [...b] : undefined;
  if (!b) return [...a];
  return a.filter((value) => b.includes(value));
}

/** Reads the request's parameters; throws QueryError (a 400) for what the inbox cannot answer. */
export function readSessionsQuery(params: URLSearchParams, now: number = Date.now()): SessionsQuery {
  for (const name of UNSUPPORTED_PARAMS) {
    if (params.has(name)) throw new QueryError(`The inbox's sessions endpoint does not support ${name}.`);
  }
  const rawFields = params.getAll('field');
  if (rawFields.length === 0) throw new QueryError('Request is missing a "field".');
  const fields = [...new Set(oneOf(rawFields, SESSION_FIELDS, 'field'))];
  const groupBy = [...new Set(oneOf(params.getAll('groupBy'), SESSION_GROUP_BYS, 'groupBy'))];
  if (groupBy.includes('session.status')) {
    const rate = fields.find((field) => field.startsWith('crash_'));
    if (rate) throw new QueryError(`Cannot group field ${rate} by session.status.`);
  }

  const intervalText = params.get('interval') ?? DEFAULT_INTERVAL;
  const interval = duration(intervalText);
  if (interval === undefined) throw new QueryError(`Invalid interval: ${JSON.stringify(intervalText)} (e.g. 10s, 1m, 1h, 1d).`);

  let start: number;
  let end: number;
  const period = params.get('statsPeriod');
  const startText = params.get('start');
  const endText = params.get('end');
  if (period !== null || (startText === null && endText === null)) {
    const length = duration(period ?? DEFAULT_PERIOD);
    if (length === undefined) throw new QueryError(`Invalid statsPeriod: ${JSON.stringify(period)} (e.g. 5m, 1h, 24h, 14d).`);
    end = now;
    start = now - length;
  } else {
    if (startText === null || endText === null) throw new QueryError('start and end are both required.');
    start = time(startText, 'start');
    end = time(endText, 'end');
    if (end <= start) throw new QueryError('end must be after start.');
  }
  const origin = Math.floor(start / interval) * interval;
  if (Math.ceil((end - origin) / interval) > MAX_INTERVALS) {
    throw new QueryError('Your interval and date range would create too many results. Use a larger interval, or a smaller date range.');
  }

  const query = params.get('query') ?? '';
  const searched = queryFilters(query);
  const environmentParams = params.getAll('environment').flatMap((value) => value.split(',')).filter((value) => value !== '');
  const filter: SessionFilter = {
    projectIds: projectIds(params.getAll('project')),
    start,
    end,
    releases: searched.releases,
    environments: intersect(searched.environments, environmentParams.length > 0 ? environmentParams : undefined),
  };
  return {
    fields,
    groupBy,
    filter,
    interval,
    includeTotals: params.get('includeTotals') !== '0',
    includeSeries: params.get('includeSeries') !== '0',
    query,
  };
}

/** Project ids of a query that are not the inbox's; Sentry answers those 403. */
export function unknownProjectIds(query: SessionsQuery): number[] {
  return (query.filter.projectIds ?? []).filter((id) => !PROJECTS.some((project) => project.id === id));
}

/** Sentry's time format: seconds, `Z`; milliseconds only when there are some. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

type Value = number | null;

interface GroupKey {
  readonly projectId?: number;
  readonly release?: string;
  readonly environment?: string | null;
  readonly status?: HealthStatus;
}

/** Counts of one output group, per slot and in total. */
class GroupData {
  readonly sessions: number[];
  readonly crashed: number[];
  totalSessions = 0;
  totalCrashed = 0;

  constructor(
    readonly key: GroupKey,
    slots: number,
  ) {
    this.sessions = Array.from({ length: slots }, () => 0);
    this.crashed = Array.from({ length: slots }, () => 0);
  }
}

/** The users of a (project, release, environment) group: did → worst status rank, per slot and over the window. */
class UserData {
  readonly perSlot: Map<string, number>[];
  readonly all = new Map<string, number>();

  constructor(slots: number) {
    this.perSlot = Array.from({ length: slots }, () => new Map<string, number>());
  }

  add(slot: number, did: string, rank: number): void {
    for (const users of [this.perSlot[slot], this.all]) users?.set(did, Math.max(users.get(did) ?? 0, rank));
  }
}

const RATE_FIELDS: Readonly<Record<string, { of: 'session' | 'user'; free: boolean }>> = {
  'crash_free_rate(session)': { of: 'session', free: true },
  'crash_rate(session)': { of: 'session', free: false },
  'crash_free_rate(user)': { of: 'user', free: true },
  'crash_rate(user)': { of: 'user', free: false },
};

function rate(crashed: number, all: number, free: boolean): Value {
  if (all === 0) return null;
  return free ? 1 - crashed / all : crashed / all;
}

function crashedUsers(users: ReadonlyMap<string, number>): number {
  let crashed = 0;
  for (const rank of users.values()) if (rank === HEALTH_RANK.crashed) crashed += 1;
  return crashed;
}

function usersWithStatus(users: ReadonlyMap<string, number>, status: HealthStatus | undefined): number {
  if (status === undefined) return users.size;
  let n = 0;
  for (const rank of users.values()) if (rank === HEALTH_RANK[status]) n += 1;
  return n;
}

/** The answer to a query, in Sentry's shape. */
export function sessionsResult(store: SessionStore, query: SessionsQuery): Record<string, unknown> {
  const { filter, interval, groupBy, fields } = query;
  const origin = Math.floor(filter.start / interval) * interval;
  const slots = Math.max(1, Math.ceil((filter.end - origin) / interval));
  const byStatus = groupBy.includes('session.status');

  const groups = new Map<string, GroupData>();
  const users = new Map<string, UserData>();
  type Row = { readonly projectId: number; readonly release: string; readonly environment: string | null };
  const keyOf = (row: Row, status?: HealthStatus): GroupKey => ({
    projectId: groupBy.includes('project') ? row.projectId : undefined,
    release: groupBy.includes('release') ? row.release : undefined,
    environment: groupBy.includes('environment') ? row.environment : undefined,
    status,
  });
  /** The group's identity without its status: the users of its status groups are one set. */
  const baseId = (key: GroupKey): string => JSON.stringify([key.projectId, key.release, key.environment]);
  const groupOf = (key: GroupKey): GroupData => {
    const id = JSON.stringify([baseId(key), key.status]);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = new GroupData(key, slots)));
    return group;
  };
  /** The row's group; grouped by status, all four status groups of its key exist, as in Sentry. */
  const groupOfRow = (row: Row, status: HealthStatus): GroupData => {
    if (!byStatus) return groupOf(keyOf(row));
    for (const each of HEALTH_STATUSES) groupOf(keyOf(row, each));
    return groupOf(keyOf(row, status));
  };

  for (const row of store.counts(filter, origin, interval)) {
    const group = groupOfRow(row, row.status);
    const crashed = row.status === 'crashed' ? row.sessions : 0;
    group.sessions[row.slot] = (group.sessions[row.slot] ?? 0) + row.sessions;
    group.crashed[row.slot] = (group.crashed[row.slot] ?? 0) + crashed;
    group.totalSessions += row.sessions;
    group.totalCrashed += crashed;
  }
  if (fields.some((field) => field.endsWith('(user)'))) {
    for (const row of store.users(filter, origin, interval)) {
      const id = baseId(groupOfRow(row, row.status).key);
      let data = users.get(id);
      if (!data) users.set(id, (data = new UserData(slots)));
      data.add(row.slot, row.did, HEALTH_RANK[row.status]);
    }
  }

  if (groups.size === 0) {
    if (groupBy.length === 0) groupOf({});
    else if (groupBy.length === 1 && byStatus) for (const status of HEALTH_STATUSES) groupOf({ status });
  }

  const noUsers = new UserData(slots);
  const valuesOf = (group: GroupData, field: SessionField): { total: Value; series: Value[] } => {
    const status = group.key.status;
    const groupUsers = users.get(baseId(group.key)) ?? noUsers;
    switch (field) {
      case 'sum(session)':
        return { total: group.totalSessions, series: [...group.sessions] };
      case 'count_unique(user)':
        return {
          total: usersWithStatus(groupUsers.all, status),
          series: groupUsers.perSlot.map((slotUsers) => usersWithStatus(slotUsers, status)),
        };
      default: {
        const { of, free } = RATE_FIELDS[field] ?? { of: 'session', free: true };
        if (of === 'session') {
          return {
            total: rate(group.totalCrashed, group.totalSessions, free),
            series: group.sessions.map((n, slot) => rate(group.crashed[slot] ?? 0, n, free)),
          };
        }
        return {
          total: rate(crashedUsers(groupUsers.all), groupUsers.all.size, free),
          series: groupUsers.perSlot.map((slotUsers) => rate(crashedUsers(slotUsers), slotUsers.size, free)),
        };
      }
    }
  };

  const primary = fields.includes('sum(session)') ? 'sum(session)' : fields[0];
  const output = [...groups.values()].map((group) => {
    const by: Record<string, string | number> = {};
    if (group.key.projectId !== undefined) by.project = group.key.projectId;
    if (group.key.release !== undefined) by.release = group.key.release;
    if (group.key.environment !== undefined && group.key.environment !== null) by.environment = group.key.environment;
    if (group.key.status !== undefined) by['session.status'] = group.key.status;
    const totals: Record<string, Value> = {};
    const series: Record<string, Value[]> = {};
    for (const field of fields) {
      const values = valuesOf(group, field);
      totals[field] = values.total;
      series[field] = values.series;
    }
    const sortValue = primary ? (totals[primary] ?? -1) : 0;
    return { by, totals, series, sortValue, sortKey: JSON.stringify(by) };
  });
  output.sort((a, b) => (b.sortValue ?? -1) - (a.sortValue ?? -1) || a.sortKey.localeCompare(b.sortKey));

  return {
    start: iso(filter.start),
    end: iso(filter.end),
    intervals: query.includeSeries ? Array.from({ length: slots }, (_, i) => iso(origin + i * interval)) : [],
    groups: output.map(({ by, totals, series }) => ({
      by,
      ...(query.includeTotals ? { totals } : {}),
      ...(query.includeSeries ? { series } : {}),
    })),
    query: query.query,
  };
}
