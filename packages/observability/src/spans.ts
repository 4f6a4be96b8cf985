/**
 * The span attribute names every package agrees on: the host stamps them on the spans it starts
 * around a remote's code, the span-ownership integration stamps them on every other span, and the
 * owner transport reads them to split a trace's spans between the owners' projects.
 */
import type { Owner } from '@repo/topology';

/** The team whose code a span measures or was started by (`home`, `shop`, `checkout`). */
export const SPAN_OWNER = 'owner';
/** The owner's release, e.g. `shop@1.1.0`; the zone's own release on the zone's spans. */
export const SPAN_RELEASE = 'release';
/** Span id of the span's owner root: the top-most span of the same owner on its parent chain. */
export const SPAN_OWNER_SEGMENT_ID = 'owner.segment.id';
/** Name of that owner root. */
export const SPAN_OWNER_SEGMENT_NAME = 'owner.segment.name';
/** Sentry's own release attribute; set up front so Sentry keeps the owner's release (it fills it only when absent). */
export const SENTRY_RELEASE = 'sentry.release';

/** Attributes a span of a remote's code starts with (owner, release, sentry.release). */
export function ownedSpanAttributes(owner: Owner, release: string): Record<string, string> {
  return { [SPAN_OWNER]: owner, [SPAN_RELEASE]: release, [SENTRY_RELEASE]: release };
}

/**
 * Spans the browser SDK records after the fact from the performance timeline (resource timings,
 * paints, web vitals, long animation frames, marks and measures), and its page-load and
 * navigation spans. Their stack at start is only Sentry's own code, so the span-ownership rule
 * never asks it who owns them: that would cost an Error and a parse of its frames (about 0.2 ms,
 * some 30 times per page load) and could never name a remote. A resource span of a remote's
 * chunk is still the remote's, by its URL.
 */
const TIMELINE_OP = /^(?:resource\.|browser\.|ui\.webvital|ui\.long_animation_frame|paint$|mark$|measure$|pageload$|navigation$)/;

/** Whether a span with this `sentry.op` comes from the browser's timeline (see TIMELINE_OP). */
export function isTimelineSpanOp(op: string | undefined): boolean {
  return op !== undefined && TIMELINE_OP.test(op);
}
