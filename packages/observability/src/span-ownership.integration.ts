/**
 * Stamps every span with its owner when it starts (see span-ownership.ts for the rule).
 *
 * Why at start: `spanStart` is the one hook every span passes through with its parent, its URL
 * and the code that started it still at hand. @sentry/core emits it for every span it creates
 * (`_startRootSpan` / `_startChildSpan` in tracing/trace.js), and on the server Next's OpenTelemetry
 * spans are core spans too (@sentry/opentelemetry's SentryTracer starts them with
 * `startInactiveSpan`); in the browser, page loads, navigations, fetches and the resource spans
 * made from PerformanceResourceTiming (which carry `url.full` from their start) all do. The
 * attributes are set on the span itself: `captureSpan` serializes `spanToJSON(span).attributes`
 * when the span ends and adds its own (`sentry.release`, `sentry.segment.*`) only where absent.
 */
import {
  defineIntegration,
  getFilenameToMetadataMap,
  GLOBAL_OBJ,
  spanIsSampled,
  spanToJSON,
  type StackParser,
} from '@sentry/core';
import { isZoneName, REMOTE_NAMES, resolveTopology, type Owner } from '@repo/topology';
import type { OwnerMetadata } from './ownership';
import { ownerAttributes, spanOwner, type SpanOwnerFacts, type SpanRoutingContext } from './span-ownership';

/** The release a page uses of a remote, and where it is served. */
export interface PageRemote {
  readonly owner: Owner;
  readonly release: string;
  readonly origin?: string;
}

export interface SpanOwnershipOptions {
  zone: Owner;
  release: string;
  /** The page view of the page (browser) or request (server) being handled, if it has one. */
  pageRemote: () => PageRemote | undefined;
  /** Origins serving a remote's code; default: the topology's remotes. */
  remoteOrigins?: Readonly<Record<string, Owner>>;
}

/** Spans of remotes remembered for their children (a trace rarely has more in flight). */
const REMEMBERED_SPANS = 1_000;
/** Frames to look through: instrumentation puts 10+ of Sentry's own above the caller's. */
const STACK_FRAMES = 64;

function topologyRemoteOrigins(zone: Owner): Record<string, Owner> {
  const { zones } = resolveTopology();
  const origins: Record<string, Owner> = {};
  for (const remote of REMOTE_NAMES) if (zones[remote].owner !== zone) origins[zones[remote].origin] = zones[remote].owner;
  return origins;
}

type WithModuleMetadata = typeof GLOBAL_OBJ & { _sentryModuleMetadata?: Record<string, unknown> };

/** Filename → owner metadata, re-read only when modules registered more metadata (a remote's chunk loaded). */
function metadataByFile(parser: StackParser): () => Readonly<Record<string, unknown>> {
  let seen = -1;
  let byFile: Record<string, unknown> = {};
  return () => {
    const registered = Object.keys((GLOBAL_OBJ as WithModuleMetadata)._sentryModuleMetadata ?? {}).length;
    if (registered !== seen) {
      seen = registered;
      byFile = getFilenameToMetadataMap(parser) as Record<string, unknown>;
    }
    return byFile;
  };
}

function ownerMetadata(value: unknown): OwnerMetadata | undefined {
  const metadata = value as Partial<OwnerMetadata> | undefined;
  return metadata && typeof metadata.owner === 'string' && isZoneName(metadata.owner) && typeof metadata.release === 'string'
    ? { owner: metadata.owner, release: metadata.release }
    : undefined;
}

/**
 * The remote whose code is on the current stack, innermost first. The zone's own frames are
 * passed over: instrumentation (Sentry's fetch wrapper, React) is the zone's code and always
 * closer to the span than the code that called it.
 */
function stackOwnerOf(parser: StackParser, byFile: Readonly<Record<string, unknown>>, zone: Owner): OwnerMetadata | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_FRAMES;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = parser(stack);
  for (let i = frames.length - 1; i >= 0; i--) {
    const filename = frames[i]?.filename;
    const metadata = filename ? ownerMetadata(byFile[filename]) : undefined;
    if (metadata && metadata.owner !== zone) return metadata;
  }
  return undefined;
}

export const spanOwnershipIntegration = defineIntegration((options: SpanOwnershipOptions) => ({
  name: 'SpanOwnership',
  setup(client) {
    const { zone, release, pageRemote } = options;
    const origins = options.remoteOrigins ?? topologyRemoteOrigins(zone);
    const parser = client.getOptions().stackParser;
    const metadata = metadataByFile(parser);
    const remembered = new Map<string, SpanOwnerFacts>();
    const context: SpanRoutingContext = {
      zone,
      release,
      ownerOfOrigin(origin) {
        const known = origins[origin];
        if (known) return known;
        const page = pageRemote();
        return page?.origin === origin ? page.owner : undefined;
      },
      pageRelease(owner) {
        const page = pageRemote();
        return page?.owner === owner ? page.release : undefined;
      },
      stackOwner: () => stackOwnerOf(parser, metadata(), zone),
    };
    client.on('spanStart', (span) => {
      // An unsampled span is never sent: no work for it (a rate of 0 costs nothing here).
      if (!spanIsSampled(span)) return;
      const json = spanToJSON(span);
      const facts = spanOwner(
        {
          spanId: json.span_id,
          name: json.name,
          attributes: json.attributes ?? {},
          hasParent: json.parent_span_id !== undefined,
          parent: json.parent_span_id ? remembered.get(json.parent_span_id) : undefined,
        },
        context,
      );
      span.setAttributes(ownerAttributes(facts));
      if (!facts.root) return;
      remembered.set(json.span_id, facts);
      if (remembered.size > REMEMBERED_SPANS) remembered.delete(remembered.keys().next().value as string);
    });
  },
}));
