/**
 * Owner sessions on a zone's server: one per page view, opened when the host decides the page's
 * release, sent when the response ends, `errored`/`crashed` by the remote's failures during that
 * request.
 *
 * Tying an error to its request: Sentry's Node SDK forks an isolation scope for every incoming
 * request (core's http server subscription, on `http.server.request.start`, whatever the tracing
 * settings: @sentry/nextjs keeps it and only turns off its spans) and runs Next's handling inside
 * it. The page view is put in that scope's SDK processing metadata, which Sentry copies onto every
 * event captured in the request (`event.sdkProcessingMetadata`, removed before sending), so
 * beforeSend finds the page view of the request the error happened in, and never another
 * request's.
 *
 * An error's owner is known in beforeSend, which may run after the response ended (event
 * processors are asynchronous: source context is read from disk). So the page view counts the
 * error events captured in its request (at capture time, synchronously, in the request's scope)
 * and the session is sent once the response has ended and each of them has been through
 * beforeSend, or OWNER_SESSION_WAIT_MS after the end if one was dropped on the way (ignored,
 * filtered): a drop delays the session, it never loses it. A report of an exception the page view
 * has already counted (Next's onRequestError after the render's own report: Sentry's dedupe drops
 * it) is not waited for.
 */
import type { ServerResponse } from 'node:http';
import {
  defineIntegration,
  getDefaultIsolationScope,
  getIsolationScope,
  makeSession,
  updateSession,
  type Event,
  type EventHint,
  type Scope,
  type Session,
} from '@sentry/core';
import type { Owner } from '@repo/topology';
import { OwnerPageView, sendSession } from './owner-sessions';
import { ownerSessionsEnabled } from './settings';

/** How long after the response a session waits for its request's last error to be processed. */
export const OWNER_SESSION_WAIT_MS = 2_000;

/**
 * Where the page view sits in the request's SDK processing metadata. One level down: Sentry
 * merges that metadata two levels deep, copying the first, so only a second-level value keeps its
 * identity on the event.
 */
const METADATA_KEY = 'ownerPageView';

interface PageViewHolder {
  readonly state: RequestPageView;
}

class RequestPageView {
  /** Error events captured in the request, not yet through beforeSend. */
  pending = 0;
  ended = false;
  sent = false;
  /** The exceptions captured in the request, so a second report of one is not waited for. */
  readonly captured = new WeakSet<object>();
  /** The hints of the events counted in `pending`. */
  readonly counted = new WeakSet<object>();
  private timer: NodeJS.Timeout | undefined;
  readonly view: OwnerPageView;

  constructor(options: Pick<ServerPageViewOptions, 'owner' | 'release' | 'rollout' | 'origin'>, session: Session | null) {
    // A failure after the session was sent (its request's error processed late) sends an update.
    this.view = new OwnerPageView(
      options.owner,
      options.release,
      options.rollout,
      session,
      (changed) => {
        if (this.sent) sendSession(changed);
      },
      options.origin,
    );
  }

  /** The response ended: send now, or once the request's errors are processed. */
  end(): void {
    this.ended = true;
    if (this.pending > 0) {
      this.timer = setTimeout(() => this.send(), OWNER_SESSION_WAIT_MS);
      this.timer.unref();
    }
    this.settle();
  }

  settle(): void {
    if (this.ended && this.pending <= 0) this.send();
  }

  send(): void {
    clearTimeout(this.timer);
    const session = this.view.session;
    if (this.sent || !session) return;
    this.sent = true;
    updateSession(session, {});
    sendSession(session);
  }
}

/**
 * By shape, not by class: Next compiles instrumentation.ts (where beforeSend runs) and the pages
 * (where page views begin) into separate webpack layers, so each has its own copy of this module.
 */
function holderOf(metadata: { [key: string]: unknown } | undefined): RequestPageView | undefined {
  const state = (metadata?.[METADATA_KEY] as Partial<PageViewHolder> | undefined)?.state;
  return typeof state?.settle === 'function' ? state : undefined;
}

function requestScope(): Scope | undefined {
  const scope = getIsolationScope();
  // Not forked: this is not inside a request Sentry instruments, and a page view put here would
  // be every request's.
  return scope === getDefaultIsolationScope() ? undefined : scope;
}

let warnedUnforked = false;

export interface ServerPageViewOptions {
  owner: Owner;
  release: string;
  rollout: string | null;
  /** The visitor id, the session's distinct id. */
  visitor: string;
  /** The page's response: the session is sent when it ends. */
  response: ServerResponse;
  /** Where the release is served (its spans' URLs tell the remote's requests). */
  origin?: string;
}

/**
 * Opens the remote's part of this request's page view. Call it on the server while handling the
 * page's request (the host app's getInitialProps), before the remote's modules load, so an outage
 * found while loading them counts too.
 */
export function beginServerPageView(options: ServerPageViewOptions): OwnerPageView {
  // Off (SENTRY_OWNER_SESSIONS=0): no session; events are still tagged with the rollout.
  const session = ownerSessionsEnabled() ? makeSession({ release: options.release, did: options.visitor }) : null;
  const state = new RequestPageView(options, session);
  const scope = requestScope();
  if (scope) scope.setSDKProcessingMetadata({ [METADATA_KEY]: { state } satisfies PageViewHolder });
  else if (!warnedUnforked) {
    warnedUnforked = true;
    console.warn('[observability] no request isolation scope: owner sessions count outages only, not errors');
  }
  options.response.once('close', () => state.end());
  return state.view;
}

/** The page view of the request an event was captured in. */
export function serverPageViewOf(event: Event): OwnerPageView | undefined {
  return holderOf(event.sdkProcessingMetadata)?.view;
}

/** The page view of the request being handled now (for the spans it starts). */
export function currentServerPageView(): OwnerPageView | undefined {
  return holderOf(requestScope()?.getScopeData().sdkProcessingMetadata)?.view;
}

/** After beforeSend has seen an event: one fewer error of its request to wait for. */
export function processedInRequest(event: Event, hint: EventHint | undefined): void {
  const state = holderOf(event.sdkProcessingMetadata);
  if (!state || !hint || !state.counted.has(hint)) return;
  state.counted.delete(hint);
  state.pending -= 1;
  state.settle();
}

/** Counts each error event captured in a request with a page view, at capture time. */
export const ownerSessionsIntegration = defineIntegration(() => ({
  name: 'OwnerSessions',
  setup(client) {
    client.on('preprocessEvent', (event, hint) => {
      if (event.type !== undefined || !hint) return;
      const state = holderOf(requestScope()?.getScopeData().sdkProcessingMetadata);
      if (!state) return;
      const exception = hint.originalException;
      if (typeof exception === 'object' && exception !== null) {
        if (state.captured.has(exception)) return;
        state.captured.add(exception);
      }
      state.pending += 1;
      state.counted.add(hint);
    });
  },
}));
