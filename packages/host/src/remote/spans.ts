/**
 * The host's spans around a remote's code: loading it (hostLoader.ts) and rendering it
 * (RemoteSlot.tsx). They start with the remote as their owner, so the span-ownership
 * integration leaves them (and, through inheritance, their children) to the remote, and the
 * owner's project receives them with the owner's release.
 */
import { startInactiveSpan } from '@sentry/nextjs';
import { ownedSpanAttributes } from '@repo/observability/spans';
import { releaseName, type RemoteLocation, type Rollout } from '@repo/releases';
import { topology } from '@repo/topology';

/** Owner, the owner's release, which remote and (when known) which exposed module and rollout. */
export function remoteSpanAttributes(location: RemoteLocation, expose?: string, rollout?: Rollout | null): Record<string, string> {
  return {
    ...ownedSpanAttributes(topology.zones[location.remote].owner, releaseName(location)),
    'mf.remote': location.remote,
    ...(expose ? { 'mf.expose': expose } : {}),
    ...(rollout ? { 'mf.rollout': rollout } : {}),
  };
}

/** What a render span needs of a span (a Sentry span; a recorder in tests). */
export interface RenderSpan {
  end(): void;
  setStatus(status: { code: 2; message: string }): unknown;
  setAttribute(key: string, value: string): unknown;
}

/** Starts the render span of `expose` in a page view; undefined when there is nothing to record. */
export type StartRenderSpan = (expose: string) => RenderSpan | undefined;

interface Bracket {
  readonly span: RenderSpan | undefined;
  open: boolean;
}

export interface RenderSpans {
  /** Starts the span of `expose` in `view`, once: a replayed render starts nothing. */
  begin(view: object, expose: string, start: StartRenderSpan): void;
  /** Ends it (the module's subtree rendered without a throw). */
  end(view: object, expose: string): void;
  /** Ends it with status error, if still open (the module threw). */
  fail(view: object, expose: string, why: string): void;
  /** Ends every span of `view` still open with status error: its render can no longer end them. */
  failOpen(view: object, why: string): void;
}

/**
 * The render spans of each page view, keyed by an object that is one page view's (its remote
 * state: one per request on a server, one per page load or navigation in a browser). React may
 * render a component more than once for one commit (a suspended subtree retried, a render
 * replayed after a throw, Strict Mode): the first render starts the span, later ones do not, and
 * nothing restarts a span that ended, so one page view has at most one span per module.
 */
export function createRenderSpans(): RenderSpans {
  const brackets = new WeakMap<object, Map<string, Bracket>>();

  function close(bracket: Bracket | undefined, error: string | null): void {
    if (!bracket?.open) return;
    bracket.open = false;
    if (error !== null) {
      // 2: Sentry's SPAN_STATUS_ERROR (@sentry/core, which the host does not depend on directly).
      bracket.span?.setStatus({ code: 2, message: 'internal_error' });
      bracket.span?.setAttribute('mf.render.error', error);
    }
    bracket.span?.end();
  }

  return {
    begin(view, expose, start) {
      let ofView = brackets.get(view);
      if (!ofView) {
        ofView = new Map();
        brackets.set(view, ofView);
      }
      if (!ofView.has(expose)) ofView.set(expose, { span: start(expose), open: true });
    },
    end(view, expose) {
      close(brackets.get(view)?.get(expose), null);
    },
    fail(view, expose, why) {
      close(brackets.get(view)?.get(expose), why);
    },
    failOpen(view, why) {
      for (const bracket of brackets.get(view)?.values() ?? []) close(bracket, why);
    },
  };
}

/** The zone's render spans (a server, or a browser tab). */
export const renderSpans = createRenderSpans();

/**
 * Shop's module rendering: a child of the active span (on a server the request's, in a browser
 * the page load's or navigation's), and none without one, so a late render makes no trace of its
 * own.
 */
export function startRenderSpanOf(location: RemoteLocation, rollout: Rollout | null): StartRenderSpan {
  return (expose) =>
    startInactiveSpan({
      name: `mf.render ${location.remote}/${expose.replace(/^\.\//, '')}`,
      op: 'ui.render',
      attributes: remoteSpanAttributes(location, expose, rollout),
      onlyIfParent: true,
    });
}
