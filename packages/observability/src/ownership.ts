/**
 * Who owns an error event, and where it goes. Pure functions over Sentry's event shape, shared by
 * the browser and the server setup and unit-tested with real events.
 *
 * How an event finds its owner:
 *   throw in shop's code → the stack frame's file is one of shop's chunks → shop's build put
 *   module metadata `{ owner: 'shop', release: 'shop@…' }` on that file (owner-loader.cjs) →
 *   moduleMetadataIntegration copies it onto the frame → `routeToOwner` (beforeSend) reads the
 *   top-most owned frame, sets release and tags, and names shop's DSN in
 *   `extra[MULTIPLEXED_TRANSPORT_EXTRA_KEY]` → the multiplexed transport sends the envelope to
 *   shop's project only.
 */
import type { Event, EventHint, StackFrame } from '@sentry/core';
import { MULTIPLEXED_TRANSPORT_EXTRA_KEY } from '@sentry/core';
import { isZoneName, type Owner } from '@repo/topology';
import { declaredOwner, declaredRelease } from './owned-error';

/** What a zone's build stamps on its modules (see owner-loader.cjs). */
export interface OwnerMetadata {
  owner: Owner;
  release: string;
}

export interface RoutingContext {
  /** The zone whose page runs (this process or this browser page). */
  zone: Owner;
  /** The zone's own release, for errors in its own code. */
  release: string;
  /** Where each owner's events go. */
  dsns: Readonly<Record<Owner, string>>;
}

function ownerMetadataOf(frame: StackFrame): OwnerMetadata | undefined {
  const metadata = frame.module_metadata as Partial<OwnerMetadata> | undefined;
  if (!metadata || typeof metadata.owner !== 'string' || !isZoneName(metadata.owner)) return undefined;
  if (typeof metadata.release !== 'string') return undefined;
  return { owner: metadata.owner, release: metadata.release };
}

/**
 * The owner of the code that threw: the top-most frame (closest to the throw) that carries owner
 * metadata, in the *last* exception value. Sentry lists chained errors oldest first, and React's
 * error boundary adds its own wrapper error in front of the real one, so the last value is the
 * error that was thrown.
 */
export function ownerFromFrames(event: Event): OwnerMetadata | undefined {
  const values = event.exception?.values ?? [];
  const thrown = values[values.length - 1];
  const frames = thrown?.stacktrace?.frames ?? [];
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i];
    const metadata = frame && ownerMetadataOf(frame);
    if (metadata) return metadata;
  }
  return undefined;
}

/** The `run` query parameter of the page the event happened on, if any. */
export function runOf(event: Event): string | undefined {
  const url = event.request?.url;
  if (!url) return undefined;
  try {
    return new URL(url, 'http://localhost').searchParams.get('run') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Explicit ownership, for failures no frame can tell (e.g. shop's remote not loading at all):
 * an OwnedError, or an `owner` tag set when capturing.
 */
export const OWNER_TAG = 'owner';

/**
 * The release of the code that failed, most specific first: the failing frame's build, the
 * release an OwnedError names (the remote release that did not load), the zone's own, a release
 * already on the event if it is the owner's, else `<owner>@unknown`.
 */
function releaseOf(
  owner: Owner,
  from: { fromFrames: OwnerMetadata | undefined; declared: string | undefined; event: Event; context: RoutingContext },
): string {
  if (from.fromFrames?.owner === owner) return from.fromFrames.release;
  if (from.declared) return from.declared;
  if (owner === from.context.zone) return from.context.release;
  if (from.event.release?.startsWith(`${owner}@`)) return from.event.release;
  return `${owner}@unknown`;
}

/**
 * beforeSend: decide the owner, stamp release and tags, and route to the owner's DSN. An event
 * whose owner is the zone itself stays on the zone's own (default) transport.
 */
export function routeToOwner<E extends Event>(event: E, context: RoutingContext, hint?: EventHint): E {
  const fromFrames = ownerFromFrames(event);
  const tagged = event.tags?.[OWNER_TAG];
  const explicit = declaredOwner(hint?.originalException) ?? (typeof tagged === 'string' && isZoneName(tagged) ? tagged : undefined);
  const owner: Owner = explicit ?? fromFrames?.owner ?? context.zone;
  const release = releaseOf(owner, { fromFrames, declared: declaredRelease(hint?.originalException), event, context });

  event.release = release;
  const run = runOf(event);
  event.tags = { ...event.tags, owner, zone: context.zone, ...(run ? { run } : {}) };
  if (owner !== context.zone) {
    event.extra = { ...event.extra, [MULTIPLEXED_TRANSPORT_EXTRA_KEY]: [{ dsn: context.dsns[owner], release }] };
  }
  return event;
}
