/**
 * Release health per owner: for each page view that renders a remote's modules, one Sentry
 * session in the remote owner's project, with the remote's release. Isomorphic: the server opens
 * the session and sends it when its response ends (owner-sessions.server.ts), the browser updates
 * the same session when the remote's code fails later in the page view (owner-sessions.client.ts).
 *
 * Sessions are Sentry's own (makeSession, updateSession, client.captureSession), sent through the
 * zone's client; the multiplexed transport's matcher sends a session whose release is another
 * owner's to that owner's DSN, as errors are. The zone's own sessions (Sentry's defaults) carry the
 * zone's release and so stay with the zone.
 */
import {
  forEachEnvelopeItem,
  getClient,
  MULTIPLEXED_TRANSPORT_EXTRA_KEY,
  updateSession,
  type makeMultiplexedTransport,
  type Event,
  type EventHint,
  type Session,
  type SessionStatus,
} from '@sentry/core';
import { isZoneName, type Owner } from '@repo/topology';
import { OWNER_TAG, type RoutingContext } from './ownership';
import { remoteOwnerOfSpans } from './span-ownership';

/** What the browser needs to update the server's session: it travels in the page's props. */
export interface OwnerSessionRef {
  readonly sid: string;
  /** The visitor id (Sentry's distinct id). */
  readonly did: string;
  readonly release: string;
  /** When the server started it (ISO): an update keeps the session's start. */
  readonly started: string;
}

/** The tag events of the remote's code carry: which pointer the page followed (`live`, `canary`). */
export const ROLLOUT_TAG = 'rollout';

/** `shop@1.2.0` → `shop`; undefined when the release names no owner of the topology. */
export function ownerOfRelease(release: string | undefined): Owner | undefined {
  const owner = release?.split('@')[0];
  return owner && isZoneName(owner) ? owner : undefined;
}

type Matcher = NonNullable<Parameters<typeof makeMultiplexedTransport>[1]>;
type RouteTo = ReturnType<Matcher>[number];

/** The release of the envelope's session item (a single session, not the server's aggregates). */
function sessionRelease(envelope: Parameters<Matcher>[0]['envelope']): string | undefined {
  let release: string | undefined;
  forEachEnvelopeItem(envelope, (item, type) => {
    if (type !== 'session') return false;
    const attrs = (item[1] as { attrs?: { release?: unknown } }).attrs;
    if (typeof attrs?.release === 'string') release = attrs.release;
    return true;
  });
  return release;
}

/**
 * The multiplexed transport's matcher: an event goes where routeToOwner put it (the event's
 * MULTIPLEXED_TRANSPORT_EXTRA_KEY, Sentry's default), a session whose release is another owner's
 * goes to that owner's DSN, and so do spans (or a transaction) another owner owns (ownerTransport
 * has given each owner its own envelope); everything else (the zone's own events, sessions and
 * spans, aggregates) falls back to the zone's DSN.
 */
export function ownerMatcher(context: Pick<RoutingContext, 'zone' | 'dsns'>): Matcher {
  return ({ envelope, getEvent }) => {
    const routed = getEvent()?.extra?.[MULTIPLEXED_TRANSPORT_EXTRA_KEY];
    if (Array.isArray(routed)) return routed as RouteTo[];
    const owner = ownerOfRelease(sessionRelease(envelope)) ?? remoteOwnerOfSpans(envelope, context.zone);
    return owner && owner !== context.zone ? [context.dsns[owner]] : [];
  };
}

/**
 * A session whose remote's code failed but did not crash. Sentry's ingestion accepts `errored` as
 * a status (the SDK's type lists only what its own clients send: they leave `ok` with errors > 0,
 * which Sentry also counts as errored); the owner's project says it in so many words.
 */
const ERRORED = 'errored' as SessionStatus;

/** Whether an error event was unhandled (it took its part of the page down): a crash. */
export function isUnhandled(event: Event): boolean {
  return event.level === 'fatal' || (event.exception?.values ?? []).some((value) => value.mechanism?.handled === false);
}

/**
 * A remote's part in one page view: whose code, which release, which rollout, and its owner
 * session (null when owner sessions are off). The runtime decides when the session is sent.
 */
export class OwnerPageView {
  /** The exceptions already counted, so the same error reported twice counts once. */
  private readonly counted = new WeakSet<object>();

  constructor(
    readonly owner: Owner,
    readonly release: string,
    readonly rollout: string | null,
    readonly session: Session | null,
    /** Called when a failure changes the session in a way Sentry would send at once. */
    private readonly onChange: (session: Session) => void,
    /** Where the release is served, when the host says: requests there are for the remote's code. */
    readonly origin?: string,
  ) {}

  /**
   * The remote's code failed in this page view: the session is `errored`, or `crashed` when the
   * failure was unhandled, with one more error. As Sentry's client does for its own sessions, a
   * change worth sending is the first error and the first crash.
   */
  fail(unhandled: boolean, exception?: unknown): void {
    const session = this.session;
    if (!session) return;
    if (typeof exception === 'object' && exception !== null) {
      if (this.counted.has(exception)) return;
      this.counted.add(exception);
    }
    const first = session.errors === 0;
    const crash = unhandled && session.status !== 'crashed';
    updateSession(session, {
      errors: session.errors + 1,
      ...(unhandled ? { status: 'crashed' as const } : session.status === 'ok' ? { status: ERRORED } : {}),
    });
    if (first || crash) this.onChange(session);
  }

  /**
   * A module of the remote that the page renders could not be loaded (an outage): the page shows
   * its fallback, so the remote failed this page view. Counted once, whatever else failed: the
   * outage's own report, sent once per outage, counts as an error only in the page view that
   * found it.
   */
  unavailable(): void {
    if (this.session && this.session.errors === 0) this.fail(false);
  }

  /** The reference the browser gets, to update this session. */
  ref(): OwnerSessionRef | null {
    const session = this.session;
    if (!session?.did) return null;
    return { sid: session.sid, did: String(session.did), release: this.release, started: new Date(session.started * 1000).toISOString() };
  }
}

/** Sends a session through the zone's client (and so through its transport's matcher). */
export function sendSession(session: Session): void {
  getClient()?.captureSession(session);
}

/**
 * beforeSend's second half, after routeToOwner: an event of the page view's remote gets the
 * rollout tag, and fails the remote's session.
 */
export function noteOwnedEvent<E extends Event>(event: E, pageView: OwnerPageView | undefined, hint?: EventHint): E {
  if (!pageView || event.tags?.[OWNER_TAG] !== pageView.owner) return event;
  if (pageView.rollout) event.tags = { ...event.tags, [ROLLOUT_TAG]: pageView.rollout };
  pageView.fail(isUnhandled(event), hint?.originalException);
  return event;
}
