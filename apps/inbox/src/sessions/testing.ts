/**
 * Helpers for the session tests (not a test file itself): session envelopes made by the SDK's own
 * functions (@sentry/core's makeSession, updateSession, createSessionEnvelope, serializeEnvelope),
 * posted over HTTP as an SDK's transport posts them, and the release-health API read back.
 */

import assert from 'node:assert/strict';
import {
  type Session,
  type SessionAggregates,
  type SessionContext,
  createSessionEnvelope,
  makeDsn,
  makeSession,
  serializeEnvelope,
  updateSession,
} from '@sentry/core';
import { INBOX_ORG } from '@repo/topology';
import { type PostOptions, type Running, SHOP, getJson, post } from '../testing.ts';

/** A session as the SDK makes it: `init: true`, status ok, a fresh sid. */
export function sdkSession(context: SessionContext & { release: string }): Session {
  const { started, status, ...rest } = context;
  const session = makeSession({ environment: 'test', ...rest });
  // makeSession takes neither `started` (seconds) nor `status`: updateSession applies them.
  if (started !== undefined || status !== undefined) updateSession(session, { started, status, timestamp: rest.timestamp });
  return session;
}

/** The session's next update as the SDK sends it: no longer `init`. */
export function sdkUpdate(session: Session, context: SessionContext): Session {
  updateSession(session, { init: false, ...context });
  return session;
}

/** The envelope an SDK sends for a session (or session aggregates), with the DSN in its header. */
export function sessionEnvelope(session: Session | SessionAggregates, project: { id: number; publicKey: string } = SHOP): string {
  const dsn = makeDsn(`http://${project.publicKey}@localhost:9000/${project.id}`);
  // A tunnel puts the dsn in the envelope header, as the browser SDK does through one.
  const envelope = createSessionEnvelope(session, dsn, undefined, 'tunnel');
  const body = serializeEnvelope(envelope);
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}

/** Posts one session (or aggregates) to the project, as the SDK's transport does. */
export async function postSession(
  run: Running,
  session: Session | SessionAggregates,
  project: { id: number; publicKey: string } = SHOP,
  options: PostOptions = {},
): Promise<Response> {
  return post(run.url, sessionEnvelope(session, project), { project: project.id, key: project.publicKey, ...options });
}

export function sessionsUrl(run: Running, query: string): string {
  return `${run.url}/api/0/organizations/${INBOX_ORG}/sessions/?${query}`;
}

export interface SessionsAnswer {
  readonly start: string;
  readonly end: string;
  readonly intervals: string[];
  readonly groups: { by: Record<string, string | number>; totals: Record<string, number | null>; series: Record<string, (number | null)[]> }[];
  readonly query: string;
}

export async function readSessions(run: Running, query: string, headers: Record<string, string> = {}): Promise<SessionsAnswer> {
  const { status, body } = await getJson(sessionsUrl(run, query), headers);
  assert.equal(status, 200, JSON.stringify(body));
  return body as SessionsAnswer;
}

/** `{ "<release>/<status>": sum(session) }` of an answer grouped by release and session.status, zeros left out. */
export function byReleaseAndStatus(answer: SessionsAnswer): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const group of answer.groups) {
    const total = group.totals['sum(session)'] ?? 0;
    if (total > 0) figures[`${String(group.by.release)}/${String(group.by['session.status'])}`] = total;
  }
  return figures;
}
