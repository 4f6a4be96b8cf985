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
