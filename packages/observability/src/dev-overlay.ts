/**
 * Under `next dev`, keeps a remote's failure off Next's full-screen error overlay; the zone's own
 * failures keep it.
 *
 * Why: Next's pages-router dev client hears of an error from three inputs (window `error`,
 * window `unhandledrejection`, and `console.error`, where React reports what an error boundary
 * caught) and puts it in one list. The pages router starts with the overlay open, so the first
 * error in that list covers the page, even one the page contained (shop's component replaced by
 * its fallback, shop's click handler failing while the page carries on). Nothing it is told says
 * whose error it was. Whose it was is what ownership.ts already decides from the module metadata
 * on the error's frames; this asks the same question when Next hears of an error, and closes the
 * overlay when the answer is another team: the error stays in Next's list (the corner indicator
 * counts it, a click opens it), the page stays visible. A zone's own error opens it again.
 *
 * One input has no frames of ours: React's echo, in the browser, of a server render throw that a
 * Suspense boundary contained. Its stack is the server's (React copies it from the `data-stck` of
 * the boundary's `<template>` in the server's HTML), so its owner is read from where that
 * template stands: inside the region a host wraps around a remote's component
 * (`data-owned-region` with `data-owner`).
 */
import type { Event, StackParser } from '@sentry/core';
import { getFilenameToMetadataMap, parseStackFrames } from '@sentry/core';
import { isZoneName, type Owner } from '@repo/topology';
import { ownerFromFrames } from './ownership';

/** The two things asked of Next's overlay. */
export interface OverlayControl {
  open(): void;
  close(): void;
}

/**
 * The owner of a thrown error by the code on its stack: the top-most frame whose file carries
 * owner metadata (owner-loader.cjs), as routeToOwner decides for the event Sentry sends.
 */
export function ownerOfStack(error: Error, parser: StackParser): Owner | undefined {
  const metadataByFile = getFilenameToMetadataMap(parser) as Record<string, Record<string, unknown> | undefined>;
  const frames = parseStackFrames(parser, error).map((frame) => ({
    ...frame,
    module_metadata: frame.filename ? metadataByFile[frame.filename] : undefined,
  }));
  const event: Event = { exception: { values: [{ stacktrace: { frames } }] } };
  return ownerFromFrames(event)?.owner;
}

/** What the server's HTML holds for a Suspense boundary it could not finish (React's attributes). */
export interface FailedBoundaryTemplate {
  getAttribute(name: string): string | null;
  closest(selector: string): { getAttribute(name: string): string | null } | null;
}

/** A region of the page a remote rendered, as the host marks it. */
export const OWNED_REGION_SELECTOR = '[data-owned-region][data-owner]';
/** React's server marker of a failed Suspense boundary, with the error's message (dev only). */
export const FAILED_BOUNDARY_SELECTOR = 'template[data-msg]';

/** How the echo and its template are matched: React gives the echo the template's stack, else its message. */
function echoKey(message: string, stack: string): string {
  return stack || message;
}

/**
 * The owner of each failed boundary of the server's HTML that stands in a remote's region, by
 * the echo React will make of it. Read before hydration: the client render replaces the template.
 */
export function echoOwners(templates: Iterable<FailedBoundaryTemplate>): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  for (const template of templates) {
    const owner = template.closest(OWNED_REGION_SELECTOR)?.getAttribute('data-owner');
    if (!owner || !isZoneName(owner)) continue;
    owners.set(echoKey(template.getAttribute('data-msg') ?? '', template.getAttribute('data-stck') ?? ''), owner);
  }
  return owners;
}

/** The owner of an echo of a server render error, if the server's HTML placed it. */
export function ownerOfEcho(error: Error, echoes: ReadonlyMap<string, Owner>): Owner | undefined {
  return echoes.get(echoKey(error.message, error.stack ?? ''));
}

/**
 * React's report of an error that a boundary caught names the boundary last. Next's own boundary
 * around the whole page means nothing of the page contained it: the page is gone, whoever threw.
 */
const NEXT_PAGE_BOUNDARY = 'PagesDevOverlayErrorBoundary';

export interface DevOverlayPolicy {
  /** Next heard of `thrown`; `pageGone` when nothing of the page contained it. */
  heard(thrown: unknown, pageGone?: boolean): void;
}

/**
 * The decision, one error at a time. Another team's error closes the overlay unless an error of
 * the zone's own is showing in it; the zone's own error reopens it if this closed it, so the
 * overlay behaves as Next's own for a zone whose page no remote has failed in.
 */
export function devOverlayPolicy(options: {
  zone: Owner;
  ownerOf: (error: Error) => Owner | undefined;
  overlay: OverlayControl;
}): DevOverlayPolicy {
  const { zone, ownerOf, overlay } = options;
  let zoneErrorShown = false;
  let closedByUs = false;
  return {
    heard(thrown, pageGone = false) {
      // What Next shows nothing for (see handleError in Next's pages-dev-overlay-setup).
      if (!(thrown instanceof Error) || typeof thrown.stack !== 'string') return;
      const owner = pageGone ? zone : (ownerOf(thrown) ?? zone);
      if (owner === zone) {
        zoneErrorShown = true;
        if (closedByUs) overlay.open();
        closedByUs = false;
        return;
      }
      if (zoneErrorShown) return;
      overlay.close();
      closedByUs = true;
    },
  };
}

/**
 * The `console.error` arguments Next reads as an error: the second in development (React's
 * `'%o\n\n%s\n\n%s\n', error, …` for a caught error), and whether the boundary that caught it was
 * Next's around the whole page.
 */
export function heardFromConsole(args: readonly unknown[]): { thrown: unknown; pageGone: boolean } {
  const boundary = args[3];
  return { thrown: args[1], pageGone: typeof boundary === 'string' && boundary.includes(NEXT_PAGE_BOUNDARY) };
}

const WATCHING = Symbol.for('@repo/observability/dev-overlay');

/**
 * Listens where Next listens. Call it, in development only, once Next's dev client has started:
 * its start replaces `console.error` with Next's own right after instrumentation-client has run
 * (in the same synchronous start), and a watcher put there before would be dropped. The window
 * listeners only watch: their order against Next's does not matter, as a closed overlay stays
 * closed when Next adds the error to its list. The server's failed boundaries are read here, so
 * this must run before hydration replaces them (it does: from instrumentation-client, a
 * microtask after Next's main script, before the page's scripts run).
 */
export function watchDevOverlay(options: { zone: Owner; parser: StackParser; overlay: OverlayControl }): void {
  const marked = globalThis as { [WATCHING]?: true };
  if (marked[WATCHING]) return;
  marked[WATCHING] = true;
  const echoes = echoOwners(document.querySelectorAll<HTMLTemplateElement>(FAILED_BOUNDARY_SELECTOR));
  const policy = devOverlayPolicy({
    zone: options.zone,
    overlay: options.overlay,
    ownerOf: (error) => ownerOfStack(error, options.parser) ?? ownerOfEcho(error, echoes),
  });
  window.addEventListener('error', (event) => policy.heard(event.error));
  window.addEventListener('unhandledrejection', (event) => policy.heard(event.reason));
  const next = console.error;
  console.error = function watched(...args: unknown[]) {
    const { thrown, pageGone } = heardFromConsole(args);
    policy.heard(thrown, pageGone);
    next.apply(console, args);
  };
}

/** Next's overlay, from its dev client's module (`next/dist/compiled/next-devtools`), if it has what this needs. */
export function nextOverlayControl(devtools: { dispatcher?: unknown }): OverlayControl | undefined {
  const dispatcher = devtools.dispatcher as { openErrorOverlay?: unknown; closeErrorOverlay?: unknown } | undefined;
  const open = dispatcher?.openErrorOverlay;
  const close = dispatcher?.closeErrorOverlay;
  if (typeof open !== 'function' || typeof close !== 'function') return undefined;
  return { open: () => open.call(dispatcher), close: () => close.call(dispatcher) };
}
