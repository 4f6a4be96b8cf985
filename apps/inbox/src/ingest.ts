/**
 * Ingest, as Sentry's: `POST /api/<projectId>/envelope/` and `POST /api/<projectId>/store/`.
 *
 * The client key comes from `?sentry_key=`, else the `X-Sentry-Auth` (or `Authorization:
 * Sentry ...`) header, else the envelope header's `dsn`. No key: 401. A key that is not the
 * project's, or an unknown project: 403. A malformed body: 400. In each case nothing is stored
 * and the body is `{ "detail": "<reason>" }`. A 200 (`{ "id": "<event_id>" }`) is sent only once
 * every event of the request is on disk.
 */

import { type ApiResponse } from './api.ts';
import { BodyError, decodeBody } from './body.ts';
import {
  type IncomingEvent,
  IngestFormatError,
  envelopeEvents,
  keyFromAuthHeader,
  keyFromDsn,
  parseEnvelope,
  parseEnvelopeHeader,
  storeEvent,
} from './envelope.ts';
import { asString } from './json.ts';
import { projectById } from './projects.ts';
import type { EventStore, KeySource, StoredEvent } from './store.ts';

export type IngestEndpoint = 'envelope' | 'store';

export interface IngestRequest {
  readonly endpoint: IngestEndpoint;
  /** The project id of the path, as written there. */
  readonly projectId: string;
  readonly queryKey: string | undefined;
  readonly authHeader: string | undefined;
  readonly contentEncoding: string | undefined;
  /** The body as received (still encoded). */
  readonly body: Buffer;
}

function refuse(status: number, detail: string): ApiResponse {
  return { status, body: { detail } };
}

interface Key {
  readonly key: string;
  readonly source: KeySource;
}

export async function ingest(request: IngestRequest, store: EventStore): Promise<ApiResponse> {
  const received = new Date().toISOString();
  try {
    // Authenticate before reading the body when the key is outside it, so a refused request
    // is refused whatever it carries.
    const queryKey = asString(request.queryKey);
    const headerKey = keyFromAuthHeader(request.authHeader);
    let given: Key | undefined;
    if (queryKey !== undefined) given = { key: queryKey, source: 'query' };
    else if (headerKey !== undefined) given = { key: headerKey, source: 'header' };

    let body: Buffer | undefined;
    if (!given && request.endpoint === 'envelope') {
      body = await decodeBody(request.body, request.contentEncoding);
      const dsn = asString(parseEnvelopeHeader(body).dsn);
      if (dsn !== undefined) given = { key: keyFromDsn(dsn), source: 'envelope' };
    }
    if (!given) {
      return refuse(401, 'Missing client key: give ?sentry_key=, an X-Sentry-Auth header or a dsn in the envelope header.');
    }
    const project = /^\d+$/.test(request.projectId) ? projectById(Number(request.projectId)) : undefined;
    if (!project) return refuse(403, `Unknown project id ${request.projectId}.`);
    if (given.key !== project.publicKey) {
      return refuse(403, `The client key ${given.key} (from the ${given.source}) is not project ${project.id}'s.`);
    }

    body ??= await decodeBody(request.body, request.contentEncoding);
    let envelopeDsn: string | null = null;
    let incoming: IncomingEvent[];
    if (request.endpoint === 'envelope') {
      const envelope = parseEnvelope(body);
      envelopeDsn = asString(envelope.header.dsn) ?? null;
      incoming = envelopeEvents(envelope);
    } else {
      incoming = [storeEvent(body)];
    }
    const key = given;
    const records: StoredEvent[] = incoming.map(({ eventId, payload }) => ({
      projectId: project.id,
      projectSlug: project.slug,
      eventId,
      publicKey: key.key,
      keySource: key.source,
      envelopeDsn,
      received,
      event: payload,
    }));

    try {
      await store.append(records);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return refuse(500, `The event could not be written to disk: ${reason}`);
    }
    const first = incoming[0];
    return { status: 200, body: first ? { id: first.eventId } : {} };
  } catch (error) {
    if (error instanceof IngestFormatError) return refuse(400, `Malformed ${request.endpoint}: ${error.message}.`);
    if (error instanceof BodyError) return refuse(error.status, error.message);
    throw error;
  }
}
