/**
 * Ingest, as Sentry's: `POST /api/<projectId>/envelope/` and `POST /api/<projectId>/store/`,
 * given the body already read and decoded (body.ts enforces the body limits).
 *
 * The client key comes from `?sentry_key=`, the `X-Sentry-Auth` (or `Authorization: Sentry ...`)
 * header and the envelope header's `dsn`; when more than one is given they must agree (same key,
 * and the dsn's project is the path's), else 403. No key: 401. A key that is not the project's,
 * or an unknown project: 403. A malformed body: 400. An event item above 1 MiB: 413. Over the
 * project's rate limit: 429. In each case nothing is stored and the body is
 * `{ "detail": "<reason>" }`. A 200 (`{ "id": "<event_id>" }`) is sent only once every event of
 * the request is on disk.
 *
 * What is stored is the event symbolicated (symbolicate/): frames resolved through the source maps
 * uploaded to the project, the frames as sent in `raw_stacktrace`; as sent when nothing resolves.
 *
 * Session items (`session`, `sessions`: release health, sessions/protocol.ts) take the same path:
 * the same keys, validated with the events (one malformed item refuses the request, nothing
 * stored), rate limited in their own category, and written in the events' transaction.
 *
 * So do spans (spans/protocol.ts): `span` items (span v2) and `transaction` items, flattened into
 * spans, stored with the key they came with; a span's owner is its `owner` attribute, else the
 * project's owner, its release the `release` attribute, else `sentry.release`.
 */

import {
  type IncomingEvent,
  IngestFormatError,
  PayloadTooLargeError,
  envelopeEvents,
  keyFromAuthHeader,
  parseDsn,
  parseEnvelope,
  parseEnvelopeHeader,
  storeEvent,
} from './envelope.ts';
import { type ApiResponse, refuse } from './http/answer.ts';
import { type JsonObject, asString } from './json.ts';
import { type Project, projectById } from './projects.ts';
import type { RateLimiter } from './rate-limit.ts';
import { type EnvelopeSessions, NO_SESSIONS, envelopeSessions } from './sessions/protocol.ts';
import { type EnvelopeSpans, NO_SPANS, envelopeSpans } from './spans/protocol.ts';
import type { StoredSpan } from './spans/store.ts';
import type { EventStore, KeySource, StoredEvent } from './store.ts';
import type { ResolveDevFrames } from './symbolicate/dev-frames.ts';
import type { Symbolicate } from './symbolicate/symbolicator.ts';

export type IngestEndpoint = 'envelope' | 'store';

export interface IngestRequest {
  readonly endpoint: IngestEndpoint;
  /** The project id of the path, as written there. */
  readonly projectId: string;
  readonly queryKey: string | undefined;
  readonly sentryAuthHeader: string | undefined;
  readonly authorizationHeader: string | undefined;
  /** The body, decoded. */
  readonly body: Buffer;
}

export interface IngestContext {
  readonly store: EventStore;
  readonly rateLimiter: RateLimiter | undefined;
  /**
   * Resolves minified frames through uploaded source maps before the event is stored; what is
   * stored (and grouped, and shown) is its result, the frames as sent kept in `raw_stacktrace`.
   */
  readonly symbolicate?: Symbolicate;
  /**
   * Resolves the module frames of `next dev` (`webpack-internal:///…`) with the zones' dev servers;
   * only events that have such frames wait for it.
   */
  readonly resolveDevFrames?: ResolveDevFrames;
}

interface Key {
  readonly key: string;
  readonly source: KeySource;
  /** How to name the source in a refusal. */
  readonly label: string;
}

/** Shows enough of a key to tell which one it was, not the whole of it. */
function shortKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 8)}…` : key;
}

/** The keys outside the body, in order of precedence; a refusal when they disagree. */
function outsideKeys(request: IngestRequest): Key[] | ApiResponse {
  const keys: Key[] = [];
  const query = asString(request.queryKey);
  if (query !== undefined) keys.push({ key: query, source: 'query', label: '?sentry_key=' });
  const sentryAuth = keyFromAuthHeader(request.sentryAuthHeader);
  if (sentryAuth !== undefined) keys.push({ key: sentryAuth, source: 'header', label: 'the X-Sentry-Auth header' });
  const authorization = keyFromAuthHeader(request.authorizationHeader);
  if (authorization !== undefined) {
    keys.push({ key: authorization, source: 'header', label: 'the Authorization header' });
  }
  return disagreement(keys) ?? keys;
}

function disagreement(keys: readonly Key[]): ApiResponse | undefined {
  const [first, ...others] = keys;
  const other = others.find((k) => k.key !== first?.key);
  if (!first || !other) return undefined;
  return refuse(
    403,
    `The client keys disagree: ${first.label} gives ${shortKey(first.key)}, ${other.label} gives ${shortKey(other.key)}`,
  );
}

function checkKey(project: Project | undefined, rawProjectId: string, key: Key): ApiResponse | undefined {
  if (!project) return refuse(403, `Unknown project id ${rawProjectId}.`);
  if (key.key !== project.publicKey) {
    return refuse(403, `The client key ${shortKey(key.key)} (from ${key.label}) is not project ${project.id}'s.`);
  }
  return undefined;
}

/** Who sent a request: the key that authenticates it, and the envelope header's dsn if any. */
interface Sender {
  readonly project: Project;
  readonly key: Key;
  readonly envelopeDsn: string | null;
}

/**
 * Authenticates a request: the keys outside the body first, so a refused request is refused
 * whatever its body holds, then the envelope header's dsn. The sender, or the refusal.
 */
function senderOf(request: IngestRequest, envelopeHeader: JsonObject | undefined): Sender | ApiResponse {
  const project = /^\d+$/.test(request.projectId) ? projectById(Number(request.projectId)) : undefined;
  const outside = outsideKeys(request);
  if (!Array.isArray(outside)) return outside;
  const [given] = outside;
  if (given) {
    const refusal = checkKey(project, request.projectId, given);
    if (refusal) return refusal;
  }

  let key = given;
  const rawDsn = envelopeHeader?.dsn;
  if (rawDsn !== undefined && rawDsn !== null && typeof rawDsn !== 'string') {
    throw new IngestFormatError('the envelope header\'s "dsn" is not a string');
  }
  const envelopeDsn = asString(rawDsn) ?? null;
  if (envelopeDsn !== null) {
    const dsn = parseDsn(envelopeDsn);
    const fromDsn: Key = { key: dsn.key, source: 'envelope', label: "the envelope header's dsn" };
    if (given) {
      const refusal = disagreement([given, fromDsn]);
      if (refusal) return refusal;
    }
    if (project && dsn.projectId !== request.projectId) {
      return refuse(403, `The envelope header's dsn names project ${dsn.projectId}, the path project ${request.projectId}.`);
    }
    key ??= fromDsn;
  }
  if (!key) {
    return refuse(401, 'Missing client key: give ?sentry_key=, an X-Sentry-Auth header or a dsn in the envelope header.');
  }
  const refusal = checkKey(project, request.projectId, key);
  if (refusal || !project) return refusal ?? refuse(403, `Unknown project id ${request.projectId}.`);
  return { project, key, envelopeDsn };
}

/**
 * The event as it is to be stored: symbolicated when the inbox can. Symbolication failing is no
 * reason to lose an event: it is then stored as sent.
 */
async function processed(event: IncomingEvent, projectSlug: string, context: IngestContext): Promise<IncomingEvent> {
  let payload = event.payload;
  for (const step of [context.symbolicate, context.resolveDevFrames]) {
    if (!step) continue;
    try {
      payload = await step(payload, projectSlug);
    } catch (error) {
      console.error(`inbox: event ${event.eventId}: a symbolication step failed, skipped:`, error);
    }
  }
  return payload === event.payload ? event : { eventId: event.eventId, payload, text: JSON.stringify(payload) };
}

export async function ingest(request: IngestRequest, context: IngestContext): Promise<ApiResponse> {
  const received = new Date().toISOString();
  try {
    const envelopeHeader = request.endpoint === 'envelope' ? parseEnvelopeHeader(request.body) : undefined;
    const sender = senderOf(request, envelopeHeader);
    if (!('project' in sender)) return sender;
    const { project } = sender;

    const envelope = envelopeHeader ? parseEnvelope(request.body, envelopeHeader) : undefined;
    const incoming: IncomingEvent[] = envelope ? envelopeEvents(envelope) : [storeEvent(request.body)];
    const sessions: EnvelopeSessions = envelope ? envelopeSessions(envelope) : NO_SESSIONS;
    const spans: EnvelopeSpans = envelope ? envelopeSpans(envelope) : NO_SPANS;

    const limited = context.rateLimiter?.take(project.id, incoming.length, {
      sessions: sessions.items,
      spans: spans.streamed,
      transactions: spans.transactions,
    });
    if (limited) {
      return refuse(
        429,
        `Project ${project.id} is over its rate limit; retry after ${limited.retryAfterSeconds} s.`,
        { ...limited.headers },
      );
    }

    // After the rate limit: an event refused is not worth resolving.
    const events = await Promise.all(incoming.map((event) => processed(event, project.slug, context)));
    const records: StoredEvent[] = events.map(({ eventId, payload }) => ({
      projectId: project.id,
      projectSlug: project.slug,
      eventId,
      publicKey: sender.key.key,
      keySource: sender.key.source,
      envelopeDsn: sender.envelopeDsn,
      received,
      event: payload,
    }));
    const spanRecords: StoredSpan[] = spans.spans.map((span) => ({
      ...span,
      projectId: project.id,
      owner: span.owner ?? project.slug,
      publicKey: sender.key.key,
      keySource: sender.key.source,
      received,
    }));
    try {
      await context.store.append(
        records,
        events.map((event) => event.text),
        sessions.items === 0 ? undefined : { projectId: project.id, ...sessions },
        spanRecords,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return refuse(500, `The event could not be written to disk: ${reason}`);
    }
    const first = incoming[0];
    return { status: 200, body: first ? { id: first.eventId } : {} };
  } catch (error) {
    if (error instanceof IngestFormatError) return refuse(400, `Malformed ${request.endpoint}: ${error.message}.`);
    if (error instanceof PayloadTooLargeError) return refuse(413, `Too large: ${error.message}.`);
    throw error;
  }
}
